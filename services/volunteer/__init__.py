"""志愿服务: volunteers, shifts, the hours ledger, certificates and recognition."""
