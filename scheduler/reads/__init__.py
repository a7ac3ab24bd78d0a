"""Reads (đọc dữ liệu đã lưu): stored state as typed values, below both the use cases and the
outbox, so that each can read what the other writes without importing it.

``stored_session`` (the one typed value of a stored session), ``stored_dialogue`` (of a dialogue
conference), ``stored_direction`` (of a direction and of a session's conclusion notice),
``session_views`` (sessions as a reader sees them), ``makeup_days`` (the days a cancelled
session may be made up on), ``followup_facts`` (a direction's dates, the conclusion notices
still owed), ``dialogue_mandates`` (the dialogues a unit's level asks for a year).
"""
