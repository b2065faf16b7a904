# ruff: noqa: RUF001 -- Chinese punctuation
"""Texts of the demo certification (``demo.certification``): the programme, its requirements
and the logbook entries. Logbook texts describe scans without anything that could identify a
patient — no names, dates of birth, record or phone numbers — as the logbook form asks.
"""

PROGRAMME_TITLE = "CEUS Liver — Level 1"
PROGRAMME_DESCRIPTION = """\
The first level of liver contrast-enhanced ultrasound for sonographers and doctors of the
network's county and township hospitals.

Holders have completed the *Liver CEUS fundamentals* course, passed the CEUS exam, reviewed
annotated liver cases in the library and performed supervised CEUS liver examinations signed
off by an instructor of their hospital. The certificate is valid for two years; renewing it
asks for new supervised scans.
"""
VALIDITY_MONTHS = 24

VERSION_1_NOTES = "First edition."
VERSION_2_NOTES = (
    "The exam now needs 70 % instead of 60 %, and recertification asks for two new "
    "supervised scans."
)

# Requirement titles (what dashboards, the director's table and the badge criteria show).
COURSE_TITLE = "Complete the Liver CEUS fundamentals course"
EXAM_TITLE = "Pass the CEUS exam"
CASES_TITLE = "Review two published liver cases in the library"
SCANS_TITLE = "Log three supervised CEUS liver scans, signed off as adequate"
CME_TITLE = "Earn 1.5 CME hours"
RECERT_SCANS_TITLE = "Recertification: two new supervised CEUS liver scans"

EXAM_MIN_SCORE_V1 = 60
EXAM_MIN_SCORE = 70
CASES_COUNT = 2
SCANS_COUNT = 3
CME_HOURS = 1.5  # the demo course holds 101 minutes of lessons
RECERT_SCANS_COUNT = 2

MANUAL_ISSUE_REASON = (
    "Trained and assessed under the hospital's paper logbook before the platform was used; "
    "the programme director checked the signed paper records."
)

AGENT = "SonoVue (sulphur hexafluoride microbubbles), 1.2 mL bolus"

# Logbook scans: (indication, findings, impression). Every one is a CEUS liver examination.
SCANS = {
    "hcc_surveillance": (
        "Surveillance for hepatocellular carcinoma in cirrhosis after hepatitis B; a new 22 mm "
        "hypoechoic nodule in segment 6 on B-mode.",
        "Arterial phase hyperenhancement of the whole nodule from 14 s, isoenhancement in the "
        "portal venous phase and mild, late wash-out from about 75 s. No enhancement defect.",
        "CEUS LI-RADS LR-5: typical of hepatocellular carcinoma. Discussed at the "
        "multidisciplinary meeting.",
    ),
    "haemangioma": (
        "Incidental 18 mm hyperechoic lesion in segment 7 on a routine abdominal scan; normal "
        "liver otherwise.",
        "Peripheral nodular enhancement in the arterial phase with centripetal fill-in, "
        "complete by the late phase. Sustained enhancement without wash-out up to 4 minutes.",
        "Typical haemangioma. No further imaging needed.",
    ),
    "metastasis": (
        "Staging of a colorectal cancer: two small hypoechoic lesions on B-mode, not clearly "
        "seen on the staging CT.",
        "Rim-like arterial enhancement of both lesions, early wash-out before 60 s and marked "
        "wash-out in the late phase. The late-phase sweep of the whole liver found a third "
        "lesion of 8 mm in segment 4.",
        "Three lesions with early, marked wash-out: metastases. Reported to the referring team "
        "with the segment of each lesion.",
    ),
    "fns": (
        "Follow-up of a 30 mm isoechoic lesion in segment 5 in a young woman on oral "
        "contraceptives.",
        "Centrifugal arterial filling from a central vessel with a spoke-wheel pattern, "
        "sustained enhancement in the portal venous and late phases, central scar unenhanced.",
        "Focal nodular hyperplasia. No follow-up needed.",
    ),
    "focal_fat": (
        "Hypoechoic area next to the gallbladder bed on B-mode in a patient with fatty liver.",
        "Enhancement identical to the surrounding liver in every phase; vessels run through "
        "the area undisplaced.",
        "Focal fatty sparing; no lesion.",
    ),
    "incomplete": (
        "Characterisation of a 15 mm hypoechoic nodule in segment 8 in a patient with cirrhosis.",
        "Arterial phase hyperenhancement; the examination stopped at 90 s, before the late phase.",
        "Probably LR-4.",
    ),
    "abscess": (
        "Fever after a biliary procedure; a 40 mm heterogeneous lesion in segment 6.",
        "Rim enhancement in the arterial phase with enhancing internal septa and non-enhancing "
        "areas that stay dark in every phase.",
        "Liver abscess with septa; drainage discussed with the referring team.",
    ),
}
REJECTION_COMMENT = (
    "The late phase was not recorded: the clip stops at 90 s, so wash-out cannot be judged "
    "and the category cannot be given. Keep scanning intermittently up to at least 4 minutes "
    "and log a correction if you have the full examination."
)
APPROVAL_COMMENT = "Good sweep of the whole liver in the late phase."

# Simplified Chinese of the programme and requirement texts above, keyed by the English.
ZH = {
    PROGRAMME_TITLE: "肝脏超声造影——一级",
    PROGRAMME_DESCRIPTION: (
        "面向医联体内县级和乡镇医院超声医师及临床医生的肝脏超声造影一级认证。\n\n"
        "持证者已完成《肝脏超声造影基础》课程，通过超声造影考试，在病例库中学习了带标注的肝脏病例，"
        "并完成了由本院带教老师签字认可的督导下肝脏超声造影检查。证书有效期两年；"
        "续证需完成新的督导下扫查。\n"
    ),
    COURSE_TITLE: "完成《肝脏超声造影基础》课程",
    EXAM_TITLE: "通过超声造影考试",
    CASES_TITLE: "在病例库中学习两个已发布的肝脏病例",
    SCANS_TITLE: "记录三次督导下肝脏超声造影扫查，并经签字认可为合格",
    CME_TITLE: "获得 1.5 继续医学教育学时",
    RECERT_SCANS_TITLE: "续证：两次新的督导下肝脏超声造影扫查",
}
