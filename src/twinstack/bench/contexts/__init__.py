"""Contexts prepare what a workload needs (users, networks, images...) and remove it after."""
