"""Built-in scenarios: Dummy.*, HttpRequests.* and rally-openstack's OpenStack scenarios."""
