"""一走四送 and employment services: employers, visits, postings, seekers, matching,
placements with their follow-ups, the community screen feed and the figures."""
