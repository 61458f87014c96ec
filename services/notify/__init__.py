"""The notification service: tells residents, volunteers, employers and the 12345 hotline."""
