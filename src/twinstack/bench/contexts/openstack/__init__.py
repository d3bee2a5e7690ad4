"""rally-openstack contexts through openstacksdk."""
