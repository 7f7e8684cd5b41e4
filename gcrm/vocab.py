"""The vocabularies of GCRM, declared once: every list of classes, channels, kinds and
statuses in the input contract, the warehouse, the cube, the pages and the CLI comes from here.

Labels for people are in the message catalogues (``gcrm/i18n/locales``), keyed by these
values; the values themselves are the contract (docs/input-contract.md) and never translated.
"""

from __future__ import annotations

#: ``customers.csv`` ``customer_class``
CUSTOMER_CLASSES = ("residential", "commercial", "industrial", "agricultural", "public")
#: ``payments.csv`` ``channel``
CHANNELS = ("counter", "bank", "online", "app", "autodebit", "prepaid")
#: the channels that count as online (``online_share``, trade-area indicators)
ONLINE_CHANNELS = ("online", "app")
#: ``service_points.csv`` ``kind``
SERVICE_POINT_KINDS = ("business_hall", "bank_agent", "self_service")
#: ``service.csv`` ``kind`` (records loaded by the ETL)
SERVICE_KINDS = ("visit", "complaint", "request")
#: records users create in GCRM (customer 360)
RECORD_KINDS = ("visit", "complaint", "request", "note", "contact")
#: the status workflow of complaints and requests
RECORD_STATUSES = ("open", "in_progress", "resolved", "closed")
#: ``relations.csv`` ``kind``: a group company and its subsidiary, a payer who is not the user,
#: one owner of several accounts (key accounts, gcrm/accounts)
RELATION_KINDS = ("parent_of", "pays_for", "same_owner")
#: the relation kinds that make customers one group (``pays_for`` does not)
GROUP_RELATION_KINDS = ("parent_of", "same_owner")
#: ``regions.geojson`` ``level`` (coarse to fine)
REGION_LEVELS = ("province", "city", "district", "grid")
#: segments whose customers an outage notice lists first
SENSITIVE_SEGMENTS = ("hospital", "water_utility", "school", "government")
#: columns holding personal data (masked for roles without ``read_pii``)
PII_COLUMNS = ("name", "phone", "id_number", "address")
#: ``supply.csv`` ``level``: where a supply meter sits
SUPPLY_LEVELS = ("feeder", "transformer")
#: line-loss status of an area-period (``gcrm losses``)
LOSS_STATUSES = ("normal", "high", "negative", "not_computable")
#: kinds of suspicious consumption the demo injects and an inspection can confirm
INSPECTION_OUTCOMES = ("theft", "meter_fault", "normal")
#: service-record topics that record a vacancy (an innocent reason for a consumption drop)
VACANCY_TOPICS = ("空置报停", "暂停用电", "报停")
