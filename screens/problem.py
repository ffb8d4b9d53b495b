"""Something went wrong with the card, the city's service or the printer: what happened and
what to do next, in plain words, never blaming the citizen; where to go instead when the kiosk
cannot help (the counter, with the terminal's location)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from i18n import announcement
from screens.base import KioskScreen
from screens.rules import load_rules
from screens.translate import tr
from session.context import Problem, SessionContext
from session.events import Back, Cancel, Event
from session.problems import ApiProblem, CardProblem, PrintProblem
from session.states import State

load_rules(__file__)


def problem_message(state: State, problem: Problem) -> str:
    """The announcement key explaining `problem` in `state`, as the session says it (a print
    that took too long is not the card's or the city's timeout: see the machine's
    on_print_timeout)."""
    if state is State.PRINT_ERROR and problem is PrintProblem.TIMEOUT:
        return "error.print_timeout"
    return f"error.{problem.value}"


class ProblemScreen(KioskScreen):
    explanation = StringProperty("")
    where = StringProperty("")
    main_text = StringProperty("")
    main_icon = StringProperty("card")
    has_second = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._main: Event = Back()

    def update(self, state: State, context: SessionContext) -> None:
        problem = context.problem
        key = problem_message(state, problem) if problem is not None else ""
        self.explanation = announcement(key, {}, tr.lang) if key else ""
        counter = self.port.location() if self.port is not None else ""
        if counter:
            self.where = tr._("Counter: {place}").format(place=counter)
        else:
            self.where = tr._("You can also ask at the counter of the town hall.")
        give_back, try_again = tr._("Give my card back"), tr._("Try again")
        if state is State.CARD_ERROR:
            self.title = tr._("There is a problem with the card")
            retry = isinstance(problem, CardProblem) and problem.retryable and context.card_present
            self._choose(try_again if retry else give_back, Back(), second=retry)
        elif state is State.SERVICE_ERROR and problem is PrintProblem.UNAVAILABLE:
            self.title = tr._("The printer is not available")
            self._choose(give_back, Cancel(), second=False)
        elif state is State.SERVICE_ERROR and problem is ApiProblem.NOT_IN_REGISTER:
            # Trying again cannot help: only the counter can.
            self.title = tr._("Please go to the counter")
            self._choose(give_back, Cancel(), second=False)
        elif state is State.SERVICE_ERROR:
            self.title = tr._("The service is not available")
            self._choose(try_again, Back(), second=True)
        else:
            self.title = tr._("Printing did not work")
            self._choose(give_back, Back(), second=False)
        self.summary = self.explanation

    def _choose(self, text: str, event: Event, *, second: bool) -> None:
        self.main_text = text
        self.main_icon = "repeat" if isinstance(event, Back) and second else "card"
        self._main = event
        self.has_second = second

    def announce(self, key: str, params: dict[str, str | int], text: str) -> None:
        if key.startswith("error."):
            return  # the explanation already says it
        super().announce(key, params, text)

    def main_action(self) -> None:
        self.send(self._main)

    def stop(self) -> None:
        self.send(Cancel())
