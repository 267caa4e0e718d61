/* Parses an iCalendar feed from stdin with libical (Evolution's parser) and prints one line
 * per event: UID, start in UTC (or the date of an all-day event), end likewise, SEQUENCE,
 * STATUS, SUMMARY, tab-separated. Exit 2 when the feed does not parse, 3 when a TZID
 * cannot be resolved (a floating time), 4 when libical flagged a property it could not
 * read (X-LIC-ERROR, printed to stderr). */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_all(FILE *in) {
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, in)) > 0) {
        len += n;
        if (cap - len < 2) { cap *= 2; buf = realloc(buf, cap); }
    }
    buf[len] = 0;
    return buf;
}

static const char *utc(struct icaltimetype t, char *out) {
    if (icaltime_is_date(t)) {
        snprintf(out, 32, "%04d%02d%02d", t.year, t.month, t.day);
        return out;
    }
    if (t.zone == NULL && !icaltime_is_utc(t)) return NULL; /* floating or unresolved TZID */
    struct icaltimetype u = icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone());
    snprintf(out, 32, "%04d%02d%02dT%02d%02d%02dZ", u.year, u.month, u.day, u.hour, u.minute, u.second);
    return out;
}

int main(void) {
    char *text = read_all(stdin);
    icalcomponent *root = icalparser_parse_string(text);
    if (root == NULL || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) return 2;
    int rc = 0;
    if (icalcomponent_count_errors(root) > 0) {
        fprintf(stderr, "%s", icalcomponent_as_ical_string(root));
        rc = 4;
    }
    for (icalcomponent *ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
         ev != NULL; ev = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
        char s[32], e[32];
        const char *start = utc(icalcomponent_get_dtstart(ev), s);
        const char *end = utc(icalcomponent_get_dtend(ev), e);
        if (start == NULL || end == NULL) rc = 3;
        icalproperty *st = icalcomponent_get_first_property(ev, ICAL_STATUS_PROPERTY);
        const char *summary = icalcomponent_get_summary(ev);
        printf("%s\t%s\t%s\t%d\t%s\t%s\n", icalcomponent_get_uid(ev), start ? start : "?",
               end ? end : "?", icalcomponent_get_sequence(ev),
               st ? icalproperty_status_to_string(icalproperty_get_status(st)) : "",
               summary ? summary : "");
    }
    icalcomponent_free(root);
    free(text);
    return rc;
}
