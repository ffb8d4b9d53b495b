"""The session state machine, its timers and the wipe. Owns citizen data. Never imports Kivy.

states.py / events.py / effects.py / problems.py  the vocabulary
machine.py          SessionMachine: handle(event) -> Step(state, effects); the transition table
timers.py           TimerPolicy (from SessionSettings), deadlines, ManualClock for tests
holder.py           CitizenData: the one place citizen data lives; zeroed at wipe
ports.py            PrintSpool, ScreenReset, PendingCalls, HealthReport: what the app implements
wipe.py             Wiper (the only I/O here: the session dir and the spool port)
recovery.py         recover_leftover_sessions: call first at start-up
workspace.py        session directory names
doc.py              python -m session.doc > docs/session-states.md
"""
