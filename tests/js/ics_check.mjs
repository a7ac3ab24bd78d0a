// Parses an iCalendar file with ical.js (the parser of Thunderbird) and prints what a calendar
// program would take from it, as one JSON object on stdout:
//   {calname, timezones, events: [{uid, sequence, status, summary, location, url, description,
//    tzid, start, end, startUnix, endUnix}]}
// Times are resolved through the feed's own VTIMEZONE, as a client does.
// Usage: node ics_check.mjs FILE.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const file = process.argv[2];
if (!file) {
  console.error("usage: node ics_check.mjs FILE.ics");
  process.exit(2);
}
const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
const timezones = root.getAllSubcomponents("vtimezone").map((vtz) => {
  const tz = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(tz.tzid, tz);
  return tz.tzid;
});
const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const ev = new ICAL.Event(vevent);
  const start = ev.startDate;
  return {
    uid: ev.uid,
    sequence: ev.sequence,
    status: vevent.getFirstPropertyValue("status"),
    summary: ev.summary,
    location: ev.location,
    description: ev.description,
    url: vevent.getFirstPropertyValue("url"),
    tzid: vevent.getFirstProperty("dtstart").getParameter("tzid") || null,
    start: start.toString(),
    end: ev.endDate.toString(),
    startUnix: start.toUnixTime(),
    endUnix: ev.endDate.toUnixTime(),
  };
});
console.log(
  JSON.stringify({ calname: root.getFirstPropertyValue("x-wr-calname"), timezones, events }),
);
