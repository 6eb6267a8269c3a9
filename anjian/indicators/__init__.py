"""The indicator registry and its roll-up engine (``registry``, ``batching``), above the enterprise
registry and the territory: every number of the targets, the dashboards and the assessment.
Apps register their indicators in their own ``indicators.py``; see ``registry``."""
