"""Turning the rules' plain values into words and files, and delivering them.

Imports only ``rules``; never opens the database.
"""
