"""argparse's refusals in Vietnamese: the command line's own mistakes (an option missing, a value
not among the choices) read like every other message of tiepdan, not in argparse's English.

argparse formats its messages before ``ArgumentParser.error`` gets them, so they are rewritten
there, one pattern a message (Python 3.11's wording); anything not matched is left as it is.
"""

from __future__ import annotations

import re

_WHOLE = [
    (re.compile(r"^the following arguments are required: (.+)$"), r"thiếu đối số bắt buộc: \1"),
    (re.compile(r"^unrecognized arguments: (.+)$"), r"đối số không dùng được: \1"),
    (re.compile(r"^one of the arguments (.+) is required$"), r"cần một trong các đối số \1"),
    (re.compile(r"^ambiguous option: (\S+) could match (.+)$"), r"tùy chọn \1 không rõ, có thể là \2"),
]
# What argparse says of one argument, after "argument NAME: ".
_CHOICE = re.compile(r"^invalid choice: (.+) \(choose from (.+)\)$")
_OF_ONE = [
    (_CHOICE, r"giá trị \1 không hợp lệ (chọn một trong: \2)"),
    (re.compile(r"^invalid int value: (.+)$"), r"\1 không phải số nguyên"),
    (re.compile(r"^invalid float value: (.+)$"), r"\1 không phải số"),
    (re.compile(r"^invalid \S+ value: (.+)$"), r"giá trị \1 không hợp lệ"),
    (re.compile(r"^expected one argument$"), "cần một giá trị"),
    (re.compile(r"^expected at least one argument$"), "cần ít nhất một giá trị"),
    (re.compile(r"^expected at most one argument$"), "cần nhiều nhất một giá trị"),
    (re.compile(r"^not allowed with argument (.+)$"), r"không dùng cùng với \1"),
    (re.compile(r"^ignored explicit argument (.+)$"), r"không nhận giá trị \1"),
]
_ARGUMENT = re.compile(r"^argument ([^:]+): (.*)$", re.DOTALL)


def _first(rules: list[tuple[re.Pattern[str], str]], text: str) -> str:
    for pattern, replacement in rules:
        if m := pattern.match(text):
            return m.expand(replacement)
    return text


def vietnamese(message: str) -> str:
    """argparse's ``message`` as a clerk reads it."""
    if m := _ARGUMENT.match(message):
        name, said = m.groups()
        if name == "command" and (c := _CHOICE.match(said)):  # the subcommand (its dest)
            return f"không có lệnh {c.group(1)} (các lệnh: {c.group(2)})"
        return f"đối số {name}: {_first(_OF_ONE, said)}"
    return _first(_WHOLE, message)
