// Parses an iCalendar feed from stdin the way Thunderbird does (ical.js) and prints each
// event's UID, SUMMARY, STATUS, SEQUENCE and start/end converted to UTC, as JSON.
const ICAL = require("ical.js");
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const root = new ICAL.Component(ICAL.parse(input));
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtz);
  }
  const utc = ICAL.Timezone.utcTimezone;
  const events = root.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    const start = event.startDate;
    return {
      uid: event.uid,
      summary: event.summary,
      status: vevent.getFirstPropertyValue("status"),
      sequence: event.sequence,
      all_day: start.isDate,
      start: start.isDate ? start.toString() : start.convertToZone(utc).toString(),
      end: event.endDate.isDate ? event.endDate.toString() : event.endDate.convertToZone(utc).toString(),
    };
  });
  process.stdout.write(JSON.stringify({ name: root.getFirstPropertyValue("x-wr-calname"), events }));
});
