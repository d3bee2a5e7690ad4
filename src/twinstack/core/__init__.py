"""Shared machinery of every twinstack service: no service logic lives here."""
