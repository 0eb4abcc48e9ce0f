"""Outgoing mail: the outbox, its SMTP (or mail-folder) transport and the `flask mail` worker."""
