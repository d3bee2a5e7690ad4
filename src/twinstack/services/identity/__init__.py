"""Identity: keystone v3.

Does: password, token and application-credential auth; unscoped, project, domain and system
scopes; Fernet-style tokens with revocation; the catalog; keystone's resources (see api/).
Does not do yet: trusts, federation, OAuth1, domain configs, endpoint filters (endpoint groups),
limits and registered limits, ``/v3/policies``, password security compliance, list truncation.
"""
