"""All tables. Import every model module here so metadata is complete."""

from .base import Base
from .areas import Division, Grid, Station
from .accounts import Account, AccountGrid, Token
from .audit import AuditEvent
from .registry import Address, Employment, House, Person, Residence, Unit
from .sync import Attachment, Change, Conflict, FeedEpoch, Submission
from .landlords import ComplianceEvent, LandlordClaim
from .visits import Visit
from .photos import Photo
from .tiers import InspectionDue, TierChange, TierState
from .identities import IdentityCheck

__all__ = ["Base", "Division", "Grid", "Station", "Account", "AccountGrid", "Token", "AuditEvent",
           "Address", "House", "Person", "Residence", "Unit", "Employment",
           "Submission", "Conflict", "Change", "FeedEpoch", "Attachment", "LandlordClaim", "ComplianceEvent", "Visit",
           "Photo", "TierState", "TierChange", "InspectionDue", "IdentityCheck"]
