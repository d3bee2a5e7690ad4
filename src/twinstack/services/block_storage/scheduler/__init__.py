"""Cinder's FilterScheduler: filters then weighers over backends@pools.

``manager.SchedulerManager`` serves the ``volume_scheduler`` topic; ``host_manager`` holds
what the volume managers last reported plus the claims of volumes scheduled since;
``filters/`` and ``weights/`` hold one small class per file.
"""
