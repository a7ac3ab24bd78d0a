"""Who received the citizens: the head in person, or someone else in the head's place.

The law gives the head no right to hand a periodic session to a deputy (Luật Tiếp công dân,
sửa đổi bởi Luật số 136/2025/QH15), and the reports count the sessions someone else received
(người khác tiếp thay). It is recorded as a choice; sessions recorded before the choice existed
carry free text, in which the head's own name (or title) means the head received in person.
"""

from __future__ import annotations

from rules.units import Person
from rules.vietnamese import nfc


def _words(text: str) -> str:
    return " ".join(nfc(text).casefold().replace(",", " ").replace("-", " ").split())


def names_the_head(text: str | None, head: Person) -> bool:
    """Whether free text typed as "who received" names the head: the head's title alone, or the
    head's name (alone or with a title: "Bí thư Tỉnh ủy Nguyễn Văn A")."""
    if not text or not text.strip():
        return False
    typed, name, title = _words(text), _words(head.name), _words(head.title)
    return bool(title and typed == title) or bool(name and f" {name} " in f" {typed} ")


def in_person(received_in_person: bool | None, received_by: str | None, head: Person) -> bool:
    """Whether the head received in person, from what was stored (None: read the free text)."""
    if received_in_person is not None:
        return received_in_person
    return not (received_by and received_by.strip()) or names_the_head(received_by, head)


def delegated(received_in_person: bool | None, received_by: str | None, head: Person) -> bool:
    """Whether someone other than the head received (người khác tiếp thay)."""
    return not in_person(received_in_person, received_by, head)
