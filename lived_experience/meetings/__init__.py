"""Meetings: scheduling, invitations and attendance, agendas, actions, packs and calendars."""
