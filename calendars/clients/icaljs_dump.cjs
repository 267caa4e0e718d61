// Parses an iCalendar feed from stdin the way Thunderbird does (ical.js) and prints, as JSON,
// the calendar's name, UID and refresh properties and each event's UID, SUMMARY, STATUS,
// SEQUENCE, CLASS, LOCATION, DESCRIPTION, the TZID of its start, and start/end converted to
// UTC (all-day events: their dates). Exits 3 when a timed event's zone cannot be resolved.
const ICAL = require("ical.js");
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const root = new ICAL.Component(ICAL.parse(input));
  const zones = new Set();
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtz);
    zones.add(vtz.getFirstPropertyValue("tzid"));
  }
  const utc = ICAL.Timezone.utcTimezone;
  let unresolved = false;
  const asUtc = (time, tzid) => {
    if (time.isDate) return time.toString();
    // A TZID without a VTIMEZONE would silently become a floating (local) time.
    if (tzid && !zones.has(tzid)) unresolved = true;
    return time.convertToZone(utc).toString();
  };
  const events = root.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    const tzid = vevent.getFirstProperty("dtstart").getParameter("tzid") || null;
    const endTzid = vevent.getFirstProperty("dtend")?.getParameter("tzid") || null;
    return {
      uid: event.uid,
      summary: event.summary,
      status: vevent.getFirstPropertyValue("status"),
      sequence: event.sequence,
      class: vevent.getFirstPropertyValue("class"),
      location: event.location,
      description: event.description,
      tzid,
      all_day: event.startDate.isDate,
      start: asUtc(event.startDate, tzid),
      end: asUtc(event.endDate, endTzid),
    };
  });
  const text = (name) => {
    const value = root.getFirstPropertyValue(name);
    return value === null ? null : value.toString();
  };
  process.stdout.write(JSON.stringify({
    name: root.getFirstPropertyValue("x-wr-calname"),
    rfc7986_name: text("name"),
    uid: text("uid"),
    refresh_interval: text("refresh-interval"),
    published_ttl: text("x-published-ttl"),
    timezones: [...zones].sort(),
    events,
  }));
  process.exitCode = unresolved ? 3 : 0;
});
