# ruff: noqa: RUF001, RUF002, E501 -- teaching prose: typographic dashes, long Markdown table rows
"""Teaching text of the demo course "Liver CEUS fundamentals" (authored content, English).

Sources: EFSUMB liver CEUS guidelines (2008/2012, WFUMB–EFSUMB update 2020), the phase
timings tabulated in World J Radiol 2009;1:25 (Table 2) and ACR CEUS LI-RADS v2017.
"""

COURSE_SUMMARY = (
    "Microbubble physics, the vascular phases of the liver and CEUS LI-RADS, for sonographers "
    "and doctors starting contrast-enhanced ultrasound of focal liver lesions."
)

COURSE_DESCRIPTION = """\
This course takes you from how a microbubble echoes to how to categorise a liver observation in
a patient at risk of hepatocellular carcinoma (HCC).

**You will learn to**

- set up a scanner for low-mechanical-index contrast imaging and avoid the usual artefacts;
- name the vascular phases of the liver and when each begins and ends;
- recognise the enhancement patterns of common benign and malignant lesions;
- apply CEUS LI-RADS (v2017) and tell an LR-5 observation from an LR-M one.

Modules open in order: finish one to unlock the next.
"""

AGENTS = """\
An ultrasound contrast agent is a suspension of **gas-filled microbubbles**, about 1–10 µm in
diameter (most 2–3 µm): small enough to cross the pulmonary capillaries after an intravenous
injection, large enough to stay inside the vessels.

Each bubble has a thin, flexible **shell** (phospholipid, or albumin) around a **low-solubility
gas**, which keeps it alive for minutes in the circulation.

| Agent | Gas | Shell | Main use |
|---|---|---|---|
| SonoVue / Lumason | sulphur hexafluoride (SF₆) | phospholipid | liver and general abdominal CEUS, echocardiography |
| Sonazoid | perfluorobutane | phospholipid | liver; taken up by Kupffer cells (post-vascular phase) |
| Definity / Luminity | perflutren (octafluoropropane) | phospholipid | mainly echocardiography |
| Optison | perflutren | albumin | echocardiography |

## A pure blood-pool agent

Unlike iodinated CT or gadolinium MRI contrast, microbubbles **do not leak into the
interstitium**. What you see is the vascular bed itself, in real time. The gas is exhaled
through the lungs within minutes and the shell is metabolised.

## Safety

- No ionising radiation, no iodine, **not nephrotoxic**: CEUS can be used in renal failure.
- Serious hypersensitivity reactions are rare (about 1 in 10 000 abdominal examinations in a
  large Italian survey), but have resuscitation equipment and a trained team available.
- Observe the patient for about 30 minutes after the injection.

## Dose

For the liver, SonoVue is typically given as a **1.0–2.4 mL bolus** through a cannula of at
least 20 G, followed by a **5–10 mL saline flush**. Modern, sensitive scanners need less;
deep lesions and obese patients need more. Start the timer at the moment of injection: that
moment, *t0*, is the origin of every time you will report.
"""

NONLINEAR = """\
## Why bubbles can be seen apart from tissue

Microbubbles **resonate** at diagnostic frequencies (1–10 MHz). Driven by the sound wave they
expand and compress **non-linearly**, and their echoes contain harmonics and other non-linear
components. Tissue, at low acoustic pressure, echoes almost linearly.

Contrast-specific imaging modes exploit this difference by sending several pulses along each
line and combining the echoes so that linear (tissue) signals cancel:

- **Pulse inversion** – two pulses of opposite phase; summed echoes cancel for tissue and remain
  for bubbles.
- **Amplitude modulation** – pulses of different amplitude, scaled and subtracted.
- **Combined sequences** (e.g. contrast pulse sequencing) – phase and amplitude together.

## Keep the mechanical index low

The **mechanical index** is MI = peak negative pressure (MPa) / √(centre frequency in MHz).
At high MI, bubbles burst. For real-time liver CEUS use a **low MI, typically below 0.2**
(the exact value depends on the scanner).

## Practical set-up

1. Choose the contrast preset; set a single focus below the region of interest.
2. Use the **dual display** (B-mode beside the contrast image) to keep the lesion in view.
3. Before injecting, reduce the gain until the contrast image is just black.
4. Inject, start the timer, and **record a continuous clip for the first 60–90 s** (arterial
   phase).
5. Then scan intermittently (short sweeps every 30–60 s) until 4–6 minutes, so that you do not
   destroy the bubbles you are waiting to see wash out.
"""

ARTEFACTS = """\
Most misread CEUS examinations come from technique, not from the lesion.

| Problem | What you see | What to do |
|---|---|---|
| Bubble destruction | enhancement fades in the field of view earlier than elsewhere; mimics wash-out | lower MI, scan intermittently, compare with an unscanned region |
| Too much contrast | blooming, saturation, shadowing behind vessels | reduce dose or gain |
| Too little contrast | deep structures stay dark | increase dose; move the focus deeper |
| Strong reflectors | diaphragm, calcification or gas bright *before* contrast arrives | check the pre-injection contrast image |
| Motion | the lesion leaves the plane during the arterial phase | coach breathing; use the dual display |

## Wash-out that is not wash-out

Apparent wash-out in a lesion that you have scanned continuously for two minutes may be
**bubble destruction**. Before calling wash-out, look at the lesion after a pause in scanning
and compare it with liver parenchyma at the same depth.
"""

PHASES = """\
## Dual blood supply

The liver receives about **25–30 %** of its blood from the hepatic artery and **70–75 %** from
the portal vein. Microbubbles arrive first through the artery, then through the portal vein,
and this sequence defines the phases of liver CEUS.

## Timing of the phases

Seconds after the start of the injection (EFSUMB guidelines 2008/2012, as tabulated in
World J Radiol 2009;1:25):

| Phase | Starts | Ends |
|---|---|---|
| Arterial | 10–20 s | 25–35 s |
| Portal venous | 30–45 s | 120–180 s |
| Late | 120–180 s | bubble disappearance, about 240–360 s |
| Post-vascular (Kupffer), Sonazoid only | about 10 min | 60 min or more |

The times vary with cardiac output, the injection site and the flush: always note the
**arrival time** in the individual patient.

## What to look at in each phase

- **Arterial**: presence and pattern of enhancement – none, rim, or non-rim (diffuse,
  nodular, spoke-wheel).
- **Portal venous and late**: does the lesion stay enhanced (sustained enhancement) or become
  darker than the liver (**wash-out**)? When does wash-out begin, and how dark does it get?
- **Post-vascular** (Sonazoid): malignant lesions lacking Kupffer cells appear as defects.
"""

BENIGN = """\
A solid liver lesion that **does not wash out** in the portal venous and late phases is most
often benign. The arterial pattern then points to the diagnosis.

| Lesion | Arterial phase | Portal venous and late phases |
|---|---|---|
| Haemangioma | peripheral nodular, discontinuous enhancement | centripetal fill-in (complete or partial), sustained |
| Focal nodular hyperplasia | centrifugal "spoke-wheel" hyperenhancement, feeding artery | hyper- or isoenhanced; unenhanced central scar may show |
| Focal fatty change or sparing | isoenhanced | isoenhanced |
| Simple cyst | no enhancement | no enhancement |
| Hepatocellular adenoma | hyperenhancement, often centripetal | iso; mild late wash-out possible – a pitfall |
| Abscess | rim enhancement, septa; unenhanced necrosis | rim may wash out |

## Teaching points

- Isoenhancement in every phase is the signature of fatty change: no lesion, just parenchyma.
- Small haemangiomas with fast flow may fill in completely during the arterial phase; look for
  sustained enhancement afterwards.
"""

MALIGNANT = """\
In the portal venous and late phases, **wash-out is the hallmark of malignancy**: malignant
lesions usually lack portal venous supply and lose their bubbles sooner than the liver.

What matters is **when** wash-out begins and **how marked** it becomes.

| Lesion | Arterial phase | Wash-out |
|---|---|---|
| Hepatocellular carcinoma (HCC) | non-rim hyperenhancement | **late** (usually after 60 s) and **mild** |
| Metastasis | rim or diffuse hyperenhancement | **early** (often before 60 s) and **marked** ("punched-out") |
| Intrahepatic cholangiocarcinoma | rim hyperenhancement | early and marked |

## Keep scanning late

HCC may only begin to wash out after 2–3 minutes. Scan intermittently until the late phase
(4–6 minutes) before saying that a lesion does not wash out.

## Mild versus marked

- **Mild**: the lesion is darker than the liver but still contains bubbles (grey).
- **Marked**: the lesion is almost devoid of bubbles (black) within about two minutes.
"""

LIRADS_CATEGORIES = """\
CEUS LI-RADS (ACR, v2017) standardises how liver observations are described and categorised
in **patients at risk of HCC**: cirrhosis, chronic hepatitis B infection, or current or prior
HCC. It does not apply to patients younger than 18, or to cirrhosis caused by congenital
hepatic fibrosis or vascular disorders.

An **observation** is an area distinct from the background liver. It must be visible on
B-mode to be characterised, and size matters: an observation must measure **at least 10 mm**
to be categorised LR-5.

| Category | Meaning |
|---|---|
| LR-NC | not categorisable (image degradation or omission) |
| LR-1 | definitely benign |
| LR-2 | probably benign |
| LR-3 | intermediate probability of malignancy |
| LR-4 | probably HCC |
| LR-5 | definitely HCC |
| LR-M | probably or definitely malignant, not HCC-specific |
| LR-TIV | tumour in vein |

## Major features

- **Arterial phase hyperenhancement (APHE)**, non-rim.
- **Size**: < 10 mm, 10–19 mm, ≥ 20 mm.
- **Late and mild wash-out**: beginning at 60 s or later, mild in degree.

## Diagnostic table (v2017)

| | No APHE, < 20 mm | No APHE, ≥ 20 mm | Non-rim APHE, < 10 mm | Non-rim APHE, ≥ 10 mm |
|---|---|---|---|---|
| No wash-out | LR-3 | LR-3 | LR-3 | LR-4 |
| Late and mild wash-out | LR-3 | LR-4 | LR-4 | LR-5 |
"""

LR5_VS_LRM = """\
The most consequential distinction in CEUS LI-RADS is between **LR-5** (HCC, diagnosed without
biopsy) and **LR-M** (malignant, but possibly not HCC: cholangiocarcinoma, combined
HCC-cholangiocarcinoma, metastasis, or atypical HCC).

| Feature | LR-5 | LR-M |
|---|---|---|
| Arterial phase | **non-rim** hyperenhancement | **rim** hyperenhancement, or any |
| Wash-out onset | **late**: at 60 s or later | **early**: before 60 s |
| Wash-out degree | **mild** | **marked** ("punched-out") within 2 minutes |
| Size | ≥ 10 mm | any |

An observation is **LR-M** when it shows *any* of: rim APHE, early wash-out (< 60 s), or
marked wash-out (within 2 min) – and no tumour in vein.

## Why it matters

- LR-5 allows treatment of HCC without biopsy.
- LR-M usually needs **biopsy** and a multidisciplinary discussion: treatment of
  cholangiocarcinoma or metastases differs from that of HCC.

## Pitfalls

- Watch the wash-out clock from the injection (t0), not from arterial peak.
- Call "marked" only when the lesion is nearly black, not merely darker than liver.
- Do not mistake bubble destruction for early wash-out (see module 1).
"""

WORKED_EXAMPLE = """\
**Patient**: 62-year-old man with cirrhosis due to chronic hepatitis B, on surveillance.
B-mode shows a new 24 mm hypoechoic observation in segment VIII.

SonoVue 1.5 mL, saline flush, timer started at injection.

| Time | Finding |
|---|---|
| 14 s | contrast arrival in the hepatic artery |
| 18–25 s | homogeneous **non-rim** hyperenhancement of the observation |
| 60 s | isoenhanced to the liver |
| 95 s | slightly darker than liver: **wash-out begins (late)** |
| 4 min | still grey, not black: **mild** wash-out |

**Categorisation**: size ≥ 10 mm, non-rim APHE, late and mild wash-out → **LR-5**.

## How to report it

1. Location and size (segment VIII, 24 mm), B-mode appearance.
2. Agent, dose and scanner settings if unusual.
3. Arterial phase: pattern of enhancement.
4. Wash-out: onset time (s) and degree (mild or marked).
5. Category, with the features that justify it.
6. Recommendation: LR-5 – multidisciplinary discussion for treatment.

## Compare

An 18 mm observation in another patient shows **rim** APHE and wash-out at **40 s**, almost
black by 90 s. Rim APHE, early and marked wash-out: **LR-M**, and the recommendation is biopsy.
"""

DRAFT_THYROID = """\
*Draft in preparation.* Thyroid CEUS is used to characterise nodules and to assess ablation
zones. Topics: enhancement intensity and homogeneity, ring enhancement, and wash-in order.
"""
