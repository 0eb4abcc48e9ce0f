"""Whole-database backups and their restore (`flask backup create`, `flask backup restore`)."""
