"""Settings every test system uses, in-process or as its own processes."""

TEST_PII_KEY = "dGVzdC1vbmx5LWtleS1ub3QtZm9yLXJlYWwtZGF0YSE="  # 32 bytes, tests only

# argon2id at its minimum: hundreds of accounts are made and signed in to; production's cost
# is the default of deploy/config.yaml.
CHEAP_PASSWORD_HASHES = {"PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 64}
