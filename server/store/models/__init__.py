"""All tables. Import every model module here so metadata is complete."""

from .accounts import Account, AccountGrid, Token
from .areas import Division, Grid, Station
from .audit import AuditEvent
from .base import Base
from .devices import DeviceCredential
from .identities import IdentityCheck
from .landlords import ComplianceEvent, LandlordClaim
from .photos import Photo
from .registry import Address, Employment, House, Person, Residence, Unit
from .sync import Attachment, Change, Conflict, FeedCompaction, FeedEpoch, Submission
from .targets import TargetCount, TargetWorkerCount
from .tiers import InspectionDue, TierChange, TierRefresh, TierState
from .visits import Visit

__all__ = [
    "Base",
    "Division",
    "Grid",
    "Station",
    "Account",
    "AccountGrid",
    "Token",
    "DeviceCredential",
    "AuditEvent",
    "Address",
    "House",
    "Person",
    "Residence",
    "Unit",
    "Employment",
    "Submission",
    "Conflict",
    "Change",
    "FeedCompaction",
    "FeedEpoch",
    "Attachment",
    "LandlordClaim",
    "ComplianceEvent",
    "Visit",
    "Photo",
    "TargetCount",
    "TargetWorkerCount",
    "TierRefresh",
    "TierState",
    "TierChange",
    "InspectionDue",
    "IdentityCheck",
]
