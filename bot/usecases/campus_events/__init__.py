"""Campus events: hosts create events that award a souvenir; learners check in with a code.

"Campus events" to tell them from Slack's events (bot/usecases/inbound.py, handlers/web/slack_events.py).
By job, each module one use case per function:
- hosting.py: a host creates, lists, shows and closes events, and gets the poster or the current code;
  the one host check ("only hosts may ...") is here;
- checkin.py: codes and check-in (the phone page, `/badges claim`, the door screen, a host's list);
- attendance.py: who checked in, and its CSV.
The rules they apply are in bot/domain/checkin.py.
"""
