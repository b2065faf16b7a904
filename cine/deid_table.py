"""PS3.15 Annex E Table E.1-1 (Basic Application Confidentiality Profile) as data.

``E1_1_ACTIONS`` lists every attribute of the table by keyword under the action code the
standard gives it (D dummy, Z empty, X remove, U new UID, and the conditional codes that depend
on the attribute's type in the IOD). ``resolve`` turns a code into the one action this project
applies to ultrasound images, with the Retain Longitudinal Temporal Information with Modified
Dates option: dates of every attribute that is not simply removed are shifted, times kept.

For attributes the table does not list, the rules by VR are data here too: the text and binary
allow-lists (``KEPT_TEXT``, ``KEPT_BINARY``), what a valid value of each VR is
(``VALUE_RULES``, PS3.5 6.2) and which attributes the US image IODs require
(``US_IOD_TYPE_1_2``: emptied rather than removed when their value cannot be kept).
"""

import re

from pydicom.datadict import tag_for_keyword

# fmt: off
E1_1_ACTIONS: dict[str, str] = {
    "D": """
        AcquisitionFieldOfViewLabel AnnotationGroupLabel AnnotationGroupUID
        AssertionDateTime AttributeModificationDateTime BeamHoldTransitionDateTime
        CertificateOfSigner ClinicalTrialProtocolEthicsCommitteeName
        ClinicalTrialProtocolID ClinicalTrialSponsorName ClinicalTrialSubjectID
        ClinicalTrialSubjectReadingID ContainerIdentifier ContentSequence
        ContextGroupLocalVersion ContextGroupVersion Date DateTime DecayCorrectionDateTime
        DeviceLabel DigitalSignatureDateTime EffectiveDateTime EncapsulatedDocument
        EntityLabel EntityLongLabel ExclusionStartDateTime FlowIdentifier
        FlowIdentifierSequence FrameAcquisitionDateTime FrameOriginTimestamp
        FrameReferenceDateTime GraphicAnnotationSequence HangingProtocolCreationDateTime
        ImpedanceMeasurementDateTime InformationIssueDateTime InterlockDateTime
        InterlockDescription InterlockOriginDescription ModifyingSystem OverrideDateTime
        PersonIdentificationCodeSequence PersonName RTPlanLabel RTPrescriptionLabel
        RTToleranceSetLabel RadiationDoseIdentificationLabel
        RadiationDoseInVivoMeasurementLabel RadiationGenerationModeLabel
        ReasonForTheAttributeModification RecordedRTControlPointDateTime ReferencedDateTime
        SafePositionExitDate SafePositionExitTime SafePositionReturnDate
        SafePositionReturnTime SelectorASValue SelectorDAValue SelectorDTValue
        SelectorLOValue SelectorLTValue SelectorOBValue SelectorPNValue SelectorSHValue
        SelectorSTValue SelectorTMValue SelectorUNValue SelectorURValue SelectorUTValue
        SourceEndDateTime SourceIdentifier SourceStartDateTime SourceStrengthReferenceDate
        SourceStrengthReferenceTime SpecimenIdentifier StructureSetLabel Time
        TreatmentControlPointDate TreatmentPositionGroupLabel
        TreatmentToleranceViolationDateTime TreatmentToleranceViolationDescription
        UserContentLabel UserContentLongLabel VerificationDateTime VerifyingObserverName
        VerifyingObserverSequence VerifyingOrganization XRayDetectorID XRaySourceID
    """,
    "Z": """
        AccessionNumber CalibrationDateTime ClinicalTrialCoordinatingCenterName
        ClinicalTrialProtocolName ClinicalTrialSiteID ClinicalTrialSiteName
        ClinicalTrialTimePointID ConceptualVolumeCombinationDescription
        ConceptualVolumeDescription ConsultingPhysicianName DeviceAlternateIdentifier
        FillerOrderNumberImagingServiceRequest FractionationNotes
        IssuerOfTheContainerIdentifierSequence IssuerOfTheSpecimenIdentifierSequence
        ManufacturerDeviceIdentifier ParticipationDateTime PatientBirthDate PatientID
        PatientName PatientSex PlacerOrderNumberImagingServiceRequest PrescriptionNotes
        PrescriptionNotesSequence ROIInterpreter ROIName RTAccessoryDeviceSlotID
        RTAccessoryHolderSlotID RTPhysicianIntentNarrative
        RadiationGenerationModeDescription ReasonForSuperseding ReferringPhysicianName
        ReviewDate ReviewTime SourceOfPreviousValues SpecimenPreparationSequence
        StructureSetDate StructureSetTime StudyDate StudyID StudyTime
        TreatmentTechniqueNotes VerifyingObserverIdentificationCodeSequence
    """,
    "X": """
        AcquisitionComments AcquisitionProtocolDescription ActualHumanPerformersSequence
        AdditionalPatientHistory AddressTrial AdmissionID AdmittingDate
        AdmittingDiagnosesCodeSequence AdmittingDiagnosesDescription AdmittingTime
        AffectedSOPInstanceUID Allergies AnnotationGroupDescription ApprovalStatusDateTime
        Arbitrary AssertionExpirationDateTime AuthorObserverSequence BeamDescription
        BolusDescription BranchOfService CalibrationDate CalibrationTime CameraOwnerName
        CassetteID CertifiedTimestamp ClinicalTrialProtocolEthicsCommitteeApprovalNumber
        ClinicalTrialSeriesDescription ClinicalTrialSeriesID
        ClinicalTrialTimePointDescription CommentsOnRadiationDose
        CommentsOnThePerformedProcedureStep CompensatorDescription
        ConfidentialityConstraintOnPatientDataDescription
        ConsultingPhysicianIdentificationSequence ContainerComponentID ContainerDescription
        ContentCreatorIdentificationCodeSequence ContrastBolusStartTime
        ContrastBolusStopTime ContributionDateTime ContributionDescription
        CountryOfResidence CreationDate CreationTime CurrentObserverTrial
        CurrentPatientLocation CurveDate CurveTime CustodialOrganizationSequence
        DataSetTrailingPadding DateOfDocumentOrVerbalTransactionTrial DateOfLastCalibration
        DateOfSecondaryCapture DateTimeOfLastCalibration DecompositionDescription
        DerivationDescription DeviceDescription DeviceSettingDescription
        DigitalSignaturesSequence DischargeDate DischargeDiagnosisDescription DischargeTime
        DoseReferenceDescription EntityDescription EntityName
        EquipmentFrameOfReferenceDescription EthicsCommitteeApprovalEffectivenessEndDate
        EthicsCommitteeApprovalEffectivenessStartDate EthnicGroup
        ExpectedCompletionDateTime FilterLookupTableDescription
        FindingsGroupRecordingDateTrial FindingsGroupRecordingTimeTrial
        FixationDeviceDescription FractionGroupDescription FrameComments GPSAltitude
        GPSAltitudeRef GPSAreaInformation GPSDOP GPSDateStamp GPSDestBearing
        GPSDestBearingRef GPSDestDistance GPSDestDistanceRef GPSDestLatitude
        GPSDestLatitudeRef GPSDestLongitude GPSDestLongitudeRef GPSDifferential
        GPSImgDirection GPSImgDirectionRef GPSLatitude GPSLatitudeRef GPSLongitude
        GPSLongitudeRef GPSMapDatum GPSMeasureMode GPSProcessingMethod GPSSatellites
        GPSSpeed GPSSpeedRef GPSStatus GPSTimeStamp GPSTrack GPSTrackRef GPSVersionID
        GantryID GeneratorID HL7DocumentEffectiveTime HumanPerformerName
        HumanPerformerOrganization IconImageSequence IdentifyingComments ImageComments
        ImagePresentationComments ImagingServiceRequestComments Impressions
        InstanceCoercionDateTime InstanceOriginStatus InstitutionAddress
        InstitutionalDepartmentName InstitutionalDepartmentTypeCodeSequence
        InsurancePlanIdentification IntendedFractionStartTime
        IntendedRecipientsOfResultsIdentificationSequence InterpretationApprovalDate
        InterpretationApprovalTime InterpretationApproverSequence InterpretationAuthor
        InterpretationDiagnosisDescription InterpretationID InterpretationIDIssuer
        InterpretationRecordedDate InterpretationRecordedTime InterpretationRecorder
        InterpretationText InterpretationTranscriber InterpretationTranscriptionDate
        InterpretationTranscriptionTime InterventionDrugStartTime InterventionDrugStopTime
        IssueDateOfImagingServiceRequest IssueTimeOfImagingServiceRequest
        IssuerOfAdmissionID IssuerOfAdmissionIDSequence IssuerOfPatientID
        IssuerOfServiceEpisodeID IssuerOfServiceEpisodeIDSequence LastMenstrualDate
        LensMake LensModel LensSerialNumber LensSpecification LongDeviceDescription MAC
        MakerNote MedicalAlerts MedicalRecordLocator MilitaryRank
        ModifiedAttributesSequence ModifiedImageDate ModifiedImageDescription
        ModifiedImageTime ModifyingDeviceID MultienergyAcquisitionDescription
        NameOfPhysiciansReadingStudy NamesOfIntendedRecipientsOfResults
        NonDICOMOutputCodeSequence NonconformingDataElementValue
        NonconformingModifiedAttributesSequence ObservationDateTrial
        ObservationStartDateTime ObservationTimeTrial Occupation OrderCallbackPhoneNumber
        OrderCallbackTelecomInformation OrderEnteredBy OrderEntererLocation
        OriginalAttributesSequence OtherPatientIDs OtherPatientIDsSequence
        OtherPatientNames OverlayDate OverlayTime ParticipantSequence PatientAddress
        PatientAge PatientBirthName PatientBirthTime PatientComments
        PatientInstitutionResidence PatientInsurancePlanCodeSequence PatientMotherBirthName
        PatientPrimaryLanguageCodeSequence PatientPrimaryLanguageModifierCodeSequence
        PatientReligiousPreference PatientSetupPhotoDescription PatientSize PatientState
        PatientTelecomInformation PatientTelephoneNumbers PatientTransportArrangements
        PatientTreatmentPreparationMethodDescription
        PatientTreatmentPreparationProcedureParameterDescription PatientWeight
        PerformedLocation PerformedProcedureStepDescription PerformedProcedureStepEndDate
        PerformedProcedureStepEndDateTime PerformedProcedureStepEndTime
        PerformedProcedureStepID PerformedProcedureStepStartDate
        PerformedProcedureStepStartDateTime PerformedProcedureStepStartTime
        PerformedStationAETitle PerformedStationGeographicLocationCodeSequence
        PerformedStationName PerformedStationNameCodeSequence
        PerformingPhysicianIdentificationSequence PerformingPhysicianName PersonAddress
        PersonTelecomInformation PersonTelephoneNumbers PhysicianApprovingInterpretation
        PhysiciansOfRecord PhysiciansOfRecordIdentificationSequence
        PhysiciansReadingStudyIdentificationSequence PlateID PreMedication PregnancyStatus
        PrescriptionDescription PresentationCreationDate PresentationCreationTime
        PriorTreatmentDoseDescription ProductExpirationDateTime PyramidDescription
        PyramidLabel ROIDescription ROIGenerationDescription ROIObservationDescription
        ROIObservationLabel RTPlanDescription RTPlanName RadiopharmaceuticalStartDateTime
        RadiopharmaceuticalStartTime RadiopharmaceuticalStopDateTime
        RadiopharmaceuticalStopTime ReasonForOmissionDescription
        ReasonForRequestedProcedureCodeSequence ReasonForStudy
        ReasonForTheImagingServiceRequest ReasonForTheRequestedProcedure ReasonForVisit
        ReasonForVisitCodeSequence ReferencedDigitalSignatureSequence
        ReferencedPatientAliasSequence ReferencedPatientPhotoSequence
        ReferencedPatientSequence ReferencedSOPInstanceMACSequence
        ReferringPhysicianAddress ReferringPhysicianIdentificationSequence
        ReferringPhysicianTelephoneNumbers RegionOfResidence RequestAttributesSequence
        RequestedContrastAgent RequestedProcedureComments RequestedProcedureID
        RequestedProcedureLocation RequestedSeriesDescription RequestingPhysician
        RequestingService RespiratoryMotionCompensationTechniqueDescription
        ResponsibleOrganization ResponsiblePerson ResultsComments
        ResultsDistributionListSequence ResultsID ResultsIDIssuer SOPAuthorizationDateTime
        ScheduledAdmissionDate ScheduledAdmissionTime ScheduledDischargeDate
        ScheduledDischargeTime ScheduledHumanPerformersSequence
        ScheduledPatientInstitutionResidence
        ScheduledPerformingPhysicianIdentificationSequence ScheduledPerformingPhysicianName
        ScheduledProcedureStepDescription ScheduledProcedureStepEndDate
        ScheduledProcedureStepEndTime ScheduledProcedureStepExpirationDateTime
        ScheduledProcedureStepID ScheduledProcedureStepLocation
        ScheduledProcedureStepModificationDateTime ScheduledProcedureStepStartDate
        ScheduledProcedureStepStartDateTime ScheduledProcedureStepStartTime
        ScheduledStationAETitle ScheduledStationGeographicLocationCodeSequence
        ScheduledStationName ScheduledStationNameCodeSequence ScheduledStudyLocation
        ScheduledStudyLocationAETitle ScheduledStudyStartDate ScheduledStudyStartTime
        ScheduledStudyStopDate ScheduledStudyStopTime SeriesDescription
        ServiceEpisodeDescription ServiceEpisodeID SetupTechniqueDescription
        ShieldingDeviceDescription SlideIdentifier SmokingStatus SourceManufacturer
        SpecialNeeds SpecimenAccessionNumber SpecimenDetailedDescription
        SpecimenShortDescription StructureSetDescription StructureSetName StudyArrivalDate
        StudyArrivalTime StudyComments StudyCompletionDate StudyCompletionTime
        StudyDescription StudyIDIssuer StudyReadDate StudyReadTime StudyVerifiedDate
        StudyVerifiedTime SubstanceAdministrationDateTime TelephoneNumberTrial
        TemplateLocalVersion TemplateVersion TextComments TextString
        TimeOfDocumentCreationOrVerbalTransactionTrial TimeOfLastCalibration
        TimeOfSecondaryCapture TimezoneOffsetFromUTC TopicAuthor TopicKeywords TopicSubject
        TopicTitle TransducerIdentificationSequence TreatmentSites UDISequence
        UniqueDeviceIdentifier VerbalSourceIdentifierCodeSequenceTrial VerbalSourceTrial
        VisitComments WaveformFilterDescription XRayDetectorLabel
    """,
    "U": """
        AcquisitionUID ConcatenationUID ConceptualVolumeUID ConstituentConceptualVolumeUID
        DeviceUID DigitalSignatureUID DimensionOrganizationUID DoseReferenceUID
        DosimetricObjectiveUID FailedSOPInstanceUIDList FiducialUID FrameOfReferenceUID
        InstanceCreatorUID IrradiationEventUID LargePaletteColorLookupTableUID
        ManufacturerDeviceClassUID MediaStorageSOPInstanceUID MultiplexGroupUID
        ObservationSubjectUIDTrial ObservationUID PaletteColorLookupTableUID
        PatientSetupUID PresentationDisplayCollectionUID PresentationSequenceCollectionUID
        PyramidUID RTTreatmentPhaseUID ReferencedConceptualVolumeUID
        ReferencedDoseReferenceUID ReferencedFiducialsUID ReferencedFrameOfReferenceUID
        ReferencedGeneralPurposeScheduledProcedureStepTransactionUID
        ReferencedObservationUIDTrial ReferencedSOPInstanceUID
        ReferencedSOPInstanceUIDInFile ReferencedTreatmentPositionGroupUID
        RelatedFrameOfReferenceUID RequestedSOPInstanceUID SOPInstanceUID SeriesInstanceUID
        SourceConceptualVolumeUID SpecimenUID StorageMediaFileSetUID StudyInstanceUID
        SynchronizationFrameOfReferenceUID TargetUID TemplateExtensionCreatorUID
        TemplateExtensionOrganizationUID TrackingUID TransactionUID
        TreatmentPositionGroupUID TreatmentSessionUID UID
    """,
    "Z/D": """
        ContentCreatorName ContentDate ContentTime ContrastBolusAgent
        InstructionPerformedDateTime
    """,
    "X/Z": """
        AcquisitionContextSequence AcquisitionDate AcquisitionTime BarcodeValue LabelText
        PatientSexNeutered ReferencedStudySequence RequestedProcedureDescription
        ReviewerName SourceSerialNumber TreatmentMachineName
    """,
    "X/D": """
        AcquisitionDeviceProcessingDescription DateOfLastDetectorCalibration DetectorID
        EndAcquisitionDateTime FirstTreatmentDate InstanceCreationDate IntendedPhaseEndDate
        IntendedPhaseStartDate MostRecentTreatmentDate ObservationDateTime
        OperatorIdentificationSequence ProtocolName RTPlanDate RTPlanTime
        RTTreatmentApproachLabel SeriesDate SeriesTime StartAcquisitionDateTime
        TimeOfLastDetectorCalibration TreatmentDate TreatmentSite TreatmentTime
    """,
    "X/Z/D": """
        AcquisitionDateTime DeviceSerialNumber InstanceCreationTime InstitutionCodeSequence
        InstitutionName OperatorsName ReferencedPerformedProcedureStepSequence StationName
    """,
    "X/Z/U": """
        ReferencedImageSequence SourceImageSequence
    """,
}
# fmt: on

# Beyond the table: attributes that carry identity or free text in files seen in the wild
# (Basic Profile allows removing more than it lists).
EXTRA_ACTIONS: dict[str, str] = {
    "X": """
        IssuerOfPatientIDQualifiersSequence PatientBirthDateInAlternativeCalendar
        PatientDeathDateInAlternativeCalendar PatientAlternativeCalendar
        RequestingPhysicianIdentificationSequence RequestingServiceCodeSequence
        StationAETitle RetrieveAETitle VisitStatusID
    """,
}

# Dates that are blanked, never shifted: a birth date identifies on its own.
NEVER_SHIFT = frozenset({"PatientBirthDate"})


def _keywords(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Patient names and IDs that say "no identity here": dummies of PS3.15 and of earlier
# anonymisers, scanner defaults. Compared as ``identity.compact`` gives them: upper case,
# letters and digits only, separators ("^", "=", spaces, "/", "-") and repeated words
# dropped, so "Anonymous^Patient" is ANONYMOUSPATIENT and "N/A" is NA. A value with no letter
# or digit at all ("", "^", "---") or one character repeated ("0", "XXXXXX", "999999") is a
# placeholder too (rule in ``identity``).
# Erring towards "placeholder" is the safe side: a real patient then gets one pseudonym per
# study, whereas an unlisted placeholder pools unrelated patients under one pseudonym.
PLACEHOLDER_IDENTITIES = _keywords(
    """
    ANON ANONYMOUS ANONYMIZED ANONYMISED ANONYMOUSPATIENT PATIENTANONYMOUS ANONPATIENT
    ANONYMIZEDPATIENT ANONYMISEDPATIENT DEIDENTIFIED DEIDENTIFIEDPATIENT
    UNKNOWN UNK UNKNOWNPATIENT PATIENTUNKNOWN UNKNOWNNAME NAMEUNKNOWN NOTKNOWN
    NA NONE NULL NIL NAN NOTAVAILABLE NOTGIVEN NOTAPPLICABLE MISSING BLANK EMPTY
    NONAME NONAMEGIVEN NOPATIENTNAME NOID NOPATIENTID NOPATIENT
    NAME PATIENT PATIENTNAME PATIENTID ID
    REMOVED DELETED REDACTED HIDDEN CONFIDENTIAL
    TEST TESTPATIENT PHANTOM DEMO DOEJOHN DOEJANE JOHNDOE JANEDOE
    """
)


# --- Attributes outside the table -------------------------------------------------------------
# The table names what is known to identify; anything else is judged by its VR. Values that can
# only be digits, codes or numbers are kept once they are valid for their VR (PS3.5 6.2), so a
# name or an ID planted in, say, a CS attribute is removed with it. Free text (and AE titles,
# URIs and person names) is never kept unless its attribute is on KEPT_TEXT.

# VRs whose values are free text, a person's name, an AE title (names a site's machine) or a URI.
TEXT_VRS = frozenset({"AE", "LO", "LT", "PN", "SH", "ST", "UC", "UR", "UT"})

# The only text attributes kept, each known to describe the equipment or the coding of a
# concept, never the patient (none of them is in Table E.1-1). Even these are kept only when
# their value is printable ASCII within the VR's length, so a name in another script is not.
# Left out on purpose: SoftwareVersions, TransducerData, ProcessingFunction, StageName,
# ViewName, EventTimerNames, *Explanation and *Label: vendors and users type free text there
# and a teaching loop does not need it. Code meanings come from a coding scheme's dictionary,
# the same for every patient, and name anatomy, views, procedures.
KEPT_TEXT = _keywords(
    """
    Manufacturer ManufacturerModelName RescaleType
    CodeValue CodingSchemeDesignator CodingSchemeVersion CodeMeaning LongCodeValue URNCodeValue
    """
)

# Largest value length in characters for the kept text VRs (PS3.5 Table 6.2-1; UC/UR/UT:
# unlimited). ST and LT are not in KEPT_TEXT but listed for completeness.
TEXT_MAX_LENGTH = {"LO": 64, "SH": 16, "ST": 1024, "LT": 10240}

# Binary values (byte and word strings) can carry any text: outside the table only those
# needed to display the pixels are kept (palette and VOI lookup tables, colour profile, the
# frame offset table). Numbers (US, SS, UL, SL, UV, SV, FL, FD) and tags (AT) are kept.
BINARY_VRS = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "UN"})
KEPT_BINARY = _keywords(
    """
    RedPaletteColorLookupTableData GreenPaletteColorLookupTableData
    BluePaletteColorLookupTableData AlphaPaletteColorLookupTableData
    SegmentedRedPaletteColorLookupTableData SegmentedGreenPaletteColorLookupTableData
    SegmentedBluePaletteColorLookupTableData SegmentedAlphaPaletteColorLookupTableData
    LUTData ICCProfile ExtendedOffsetTable ExtendedOffsetTableLengths
    """
)

# What one value of these VRs may be (PS3.5 6.2; leading and trailing spaces are not part of
# the value, an empty value is always valid): pattern and largest length. DA and DT are checked
# by the date shift, TM by ``dates.normalise_tm``. UI: digits and dots, no empty component
# (components with a leading zero, common in the wild, are tolerated: they cannot carry text).
VALUE_RULES: dict[str, tuple[re.Pattern[str], int]] = {
    "AS": (re.compile(r"[0-9]{3}[DWMY]"), 4),
    "CS": (re.compile(r"[A-Z0-9 _]+"), 16),
    "DS": (re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"), 16),
    "IS": (re.compile(r"[+-]?[0-9]+"), 12),
    "UI": (re.compile(r"[0-9]+(\.[0-9]+)*"), 64),
}
IS_RANGE = (-(2**31), 2**31 - 1)

# Type 1 and 2 attributes of the US Image and US Multi-frame Image IODs (PS3.3 A.6, A.7, by
# module; conditional 1C/2C ones too, and the Code Sequence and Image SOP Instance Reference
# macros used by their sequences). When their value cannot be kept, they are emptied, not
# removed, so the object keeps its structure.
US_IOD_TYPE_1_2 = _keywords(
    """
    PatientName PatientID PatientBirthDate PatientSex
    StudyInstanceUID StudyDate StudyTime ReferringPhysicianName StudyID AccessionNumber
    Modality SeriesInstanceUID SeriesNumber Laterality PatientPosition
    FrameOfReferenceUID PositionReferenceIndicator
    SynchronizationFrameOfReferenceUID SynchronizationTrigger AcquisitionTimeSynchronized
    Manufacturer
    InstanceNumber PatientOrientation ContentDate ContentTime
    SamplesPerPixel PhotometricInterpretation Rows Columns BitsAllocated BitsStored HighBit
    PixelRepresentation PlanarConfiguration PixelAspectRatio
    RedPaletteColorLookupTableDescriptor GreenPaletteColorLookupTableDescriptor
    BluePaletteColorLookupTableDescriptor RedPaletteColorLookupTableData
    GreenPaletteColorLookupTableData BluePaletteColorLookupTableData
    ContrastBolusAgent
    FrameTime FrameTimeVector NumberOfFrames FrameIncrementPointer
    SequenceOfUltrasoundRegions RegionSpatialFormat RegionDataType RegionFlags
    RegionLocationMinX0 RegionLocationMinY0 RegionLocationMaxX1 RegionLocationMaxY1
    PhysicalUnitsXDirection PhysicalUnitsYDirection PhysicalDeltaX PhysicalDeltaY
    ImageType LossyImageCompression NumberOfStages NumberOfViewsInStage
    WindowCenter WindowWidth VOILUTSequence LUTDescriptor LUTData
    SOPClassUID SOPInstanceUID SpecificCharacterSet
    CodeValue CodingSchemeDesignator CodeMeaning
    ReferencedSOPClassUID ReferencedSOPInstanceUID
    """
)

# Whole groups removed: curves (50xx) and overlays (60xx), even-numbered repeating groups.
REMOVED_GROUP_RANGES = ((0x5000, 0x501E), (0x6000, 0x601E))

DATE_VRS = frozenset({"DA", "DT"})
TIME_VR = "TM"


def _tags(actions: dict[str, str]) -> dict[int, str]:
    table: dict[int, str] = {}
    for code, keywords in actions.items():
        for keyword in keywords.split():
            tag = tag_for_keyword(keyword)
            if tag is None:
                raise RuntimeError(
                    f"unknown DICOM keyword in the de-identification table: {keyword}"
                )
            table[tag] = code
    return table


# tag -> standard action code; the extensions win over the table (they only ever remove).
TABLE: dict[int, str] = {**_tags(E1_1_ACTIONS), **_tags(EXTRA_ACTIONS)}
# Misspelt keywords in the lists above would silently keep or remove the wrong thing.
_tags({"K": " ".join(KEPT_TEXT | KEPT_BINARY | US_IOD_TYPE_1_2)})


def in_removed_group(group: int) -> bool:
    """True for curve (50xx) and overlay (60xx) groups."""
    return any(low <= group <= high and group % 2 == 0 for low, high in REMOVED_GROUP_RANGES)


def resolve(code: str, vr: str, keyword: str) -> str:
    """Return the single action applied here for a table code and the element's VR.

    Returns one of X (remove), Z (empty), D (dummy), K (keep), U (new UID / recurse into
    the sequence) or C (shift the date).
    """
    if code != "X" and keyword not in NEVER_SHIFT:
        if vr in DATE_VRS:
            return "C"
        if vr == TIME_VR:
            return "K"  # a whole-day shift leaves times valid
    if code == "X/Z/U":
        return "U"  # keep the reference, its UIDs are replaced
    if code.startswith("X"):
        return "X"  # these conditional attributes are type 3 in the US image IODs
    if code == "Z/D":
        return "Z"
    if code == "D" and vr == "SQ":
        return "X"  # a "dummy" sequence has no meaning for images: drop it
    return code
