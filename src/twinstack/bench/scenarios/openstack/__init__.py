"""rally-openstack scenarios through openstacksdk."""
