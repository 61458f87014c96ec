"""Code every Xiuhua service imports: the contract between them.

The event catalogue, the envelope, typed errors, the MongoDB provider with its outbox and
inbox, the reliable messaging entrypoints and the handling of personal data live here once.
"""
