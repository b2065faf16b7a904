"""PS3.15 Annex E Table E.1-1 (Basic Application Confidentiality Profile) as data.

``E1_1_ACTIONS`` lists every attribute of the table by keyword under the action code the
standard gives it (D dummy, Z empty, X remove, U new UID, and the conditional codes that depend
on the attribute's type in the IOD). ``resolve`` turns a code into the one action this project
applies to ultrasound images, with the Retain Longitudinal Temporal Information with Modified
Dates option: dates of every attribute that is not simply removed are shifted, times kept.
"""

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

# Standard VRs that only ever hold free text or a person's name; when an attribute of these
# VRs is not in the table it is removed (text) or emptied (names) rather than kept.
FREE_TEXT_VRS = frozenset({"LT", "ST", "UT"})
PERSON_NAME_VR = "PN"

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
