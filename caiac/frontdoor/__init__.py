"""The front door: how people get in and get back in.

Sign-up requests of new organisations (staff approve or decline), invitations of colleagues into
an organisation, password reset, and the confirmation of a new email address. It sits above
``caiac.accounts`` and ``caiac.notifications``: it creates accounts and memberships through the
accounts services and sends every email through the outbox (docs/accounts.md).
"""
