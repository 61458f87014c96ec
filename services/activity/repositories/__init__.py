"""The activity service's repositories, bound to the unit of work (shared.unit_of_work): they
never take a session, and every query they run is inside the unit of work's transaction when
it has one.

- indexes.py: the collections, their indexes and the statistics buckets;
- activities.py: activities (with the booking of their places) and recurring series;
- registrations.py: registrations, and the audit of a registrant's phone revealed;
- venues.py: venues, their rooms and the calendar of bookings;
- exemplars.py: exemplars (先进典型).
"""
