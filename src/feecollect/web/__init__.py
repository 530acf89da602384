"""Server-rendered pages for clerks, finance staff, auditors and the public (Chinese), on the same
services as the API."""
