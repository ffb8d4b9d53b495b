"""`tr` re-renders .kv rules when the language changes. Kivy runs in a child process, so this
test neither configures Kivy for the other tests nor depends on what they configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PROBE = textwrap.dedent(
    """
    import gc, json
    from kivy.lang import Builder
    from kivy.properties import StringProperty
    from kivy.uix.widget import Widget
    import i18n
    from screens.translate import tr

    class Probe(Widget):
        label = StringProperty("")
        price_text = StringProperty("")
        count_text = StringProperty("")
        n = 3

    Builder.load_string('''
    #:import tr screens.translate.tr
    <Probe>:
        label: tr._("More time")
        price_text: tr.price(0) + " / " + tr.price(250)
        count_text:
            tr.n_("{count} second left", "{count} seconds left", self.n).format(count=self.n)
    ''')
    seen = {}
    probe = Probe()
    seen["bound"] = tr.observer_count
    for lang in ("fr", "nl", "en", "de"):
        i18n.set_language(lang)
        seen[lang] = [probe.label, probe.price_text, probe.count_text]
    Builder.unbind_widget(probe.uid)
    seen["after_unbind"] = tr.observer_count
    other = Probe()
    del other
    gc.collect()
    i18n.set_language("fr")  # a rule of a collected widget is dropped, not an error
    seen["after_gc"] = tr.observer_count
    print(json.dumps(seen))
    """
)


def test_switching_language_re_evaluates_bound_rules(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "KIVY_NO_ARGS": "1",
        "KIVY_NO_FILELOG": "1",
        "KIVY_NO_CONSOLELOG": "1",
        "KIVY_HOME": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["bound"] >= 3
    assert seen["fr"] == ["Plus de temps", "Gratuit / 2,50\u00a0€", "Encore 3 secondes"]
    assert seen["nl"] == ["Meer tijd", "Gratis / €\u00a02,50", "Nog 3 seconden"]
    assert seen["en"] == ["More time", "Free / 2,50\u00a0€", "3 seconds left"]
    assert seen["de"] == ["Mehr Zeit", "Kostenlos / 2,50\u00a0€", "Noch 3 Sekunden"]
    assert seen["after_unbind"] == 0
    assert seen["after_gc"] == 0
