"""Xiuhua services: one package each, with service.py, domain.py, repository.py, schemas.py."""
