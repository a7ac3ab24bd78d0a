// Reads an e-mail invitation's calendar with ical.js (the parser of Thunderbird) as a calendar
// client does, and prints what it would act on, as one JSON object on stdout:
//   {method, timezones, events: [{uid, sequence, status, summary, description, url, location,
//    dtstamp, start, end, tzid, organizer: {value, cn}, attendees: [{value, cn, role, rsvp,
//    partstat}]}]}
// Usage: node invite_check.mjs FILE.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const file = process.argv[2];
if (!file) {
  console.error("usage: node invite_check.mjs FILE.ics");
  process.exit(2);
}
const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
const timezones = root.getAllSubcomponents("vtimezone").map((vtz) => {
  const tz = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(tz.tzid, tz);
  return tz.tzid;
});
const person = (prop) =>
  prop && {
    value: prop.getFirstValue(),
    cn: prop.getParameter("cn") || null,
    role: prop.getParameter("role") || null,
    rsvp: prop.getParameter("rsvp") || null,
    partstat: prop.getParameter("partstat") || null,
  };
const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const ev = new ICAL.Event(vevent);
  return {
    uid: ev.uid,
    sequence: ev.sequence,
    status: vevent.getFirstPropertyValue("status"),
    summary: ev.summary,
    description: ev.description,
    location: ev.location,
    url: vevent.getFirstPropertyValue("url"),
    dtstamp: vevent.getFirstPropertyValue("dtstamp").toString(),
    tzid: vevent.getFirstProperty("dtstart").getParameter("tzid") || null,
    start: ev.startDate.toString(),
    end: ev.endDate.toString(),
    organizer: person(vevent.getFirstProperty("organizer")),
    attendees: vevent.getAllProperties("attendee").map(person),
  };
});
console.log(JSON.stringify({ method: root.getFirstPropertyValue("method"), timezones, events }));
