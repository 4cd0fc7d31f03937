"""The fresh evaluation questions, written from reading the documents' extracted text.

Each entry: (question, kind, min_docs, [(doc alias, key), ...]). `build.py` numbers them f01...,
normalises the keys, checks every key against its document and writes ../questions.jsonl.
"""

DOCS = {
    "adcs": "adcs-safeguarding-pressures-phase9.pdf",
    "bpl_send": "blackpool-area-send-inspection-2024-07-25.pdf",
    "bpl_jtai": "blackpool-jtai-letter-2025-01-31.pdf",
    "cwl_send": "cornwall-area-send-inspection-2023-05-05.pdf",
    "cwl_jtai": "cornwall-jtai-letter-2018-11-23.pdf",
    "d2i": "d2i-data-service-diagnostic-template-2024-04.docx",
    "doncaster": "doncaster-childrens-services-removed-dailymail-2013-03-27.txt",
    "har_send": "haringey-area-send-inspection-2024-04-03.pdf",
    "har_2009": "haringey-joint-area-review-progress-2009-07-03.pdf",
    "har_jtai": "haringey-jtai-letter-2018-01-30.pdf",
    "feltham": "hmyoi-feltham-riots-inspection-dailymail-2011-12-20.txt",
    "lpl_jtai": "liverpool-jtai-letter-2016-08-03.pdf",
    "nfk_jtai": "norfolk-jtai-letter-2025-02-27.pdf",
    "nfk_2013": "norfolk-ofsted-safeguarding-inspection-2013-08-16.pdf",
    "nvest": "nvest-newsletter-2025-06.pdf",
    "wilshaw": "ofsted-chief-inspector-social-care-report-dailymail-2013-10-15.txt",
    "committee": "ofsted-select-committee-evidence-blog-2008-05-15.md",
    "rot_send": "rotherham-area-send-inspection-2024-11-14.pdf",
    "sun_jtai": "sunderland-jtai-letter-2023-03-16.pdf",
    "tx_turnover": "texas-cps-caseworker-turnover-statesman.html",
    "tx_violence": "texas-cps-caseworker-violence-statesman.html",
    "tx_deaths": "texas-cps-child-deaths-missteps-statesman.html",
    "tby_jtai": "torbay-jtai-letter-2024-01-30.pdf",
    "wv": "west-virginia-title-iv-e-prevention-plan-2019-2024.md",
}

QUESTIONS = [
    # --- single: one document answers
    (
        "Which organisation has to write the action plan after the Torbay joint inspection?",
        "single",
        1,
        [("tby_jtai", "one devon integrated care board is the principal authority")],
    ),
    (
        "What worried inspectors about how the Torbay hospital trust deals with bruises and injuries to children?",
        "single",
        1,
        [
            (
                "tby_jtai",
                "explanations from parents or carers are often either too readily believed or not sought at all",
            ),
            ("tby_jtai", "urgent action is required by the torbay and south devon nhs foundation trust"),
        ],
    ),
    (
        "Why can't the Torbay safeguarding partnership get reliable local figures from the NHS and the police?",
        "single",
        1,
        [
            (
                "tby_jtai",
                "both the icb and devon and cornwall police rely on data that relates to areas much larger than torbay",
            )
        ],
    ),
    (
        "What is Blackpool's specialist exploitation team called, and up to what age does it help young people?",
        "single",
        1,
        [
            ("bpl_jtai", "multidisciplinary specialist team called awaken"),
            ("bpl_jtai", "expanded to offer support for young people up to 24 years old"),
        ],
    ),
    (
        "How do permanent exclusions from Blackpool schools compare with the rest of the country?",
        "single",
        1,
        [("bpl_jtai", "almost three times the national average")],
    ),
    (
        "How long was the wait for child and adolescent mental health services in Sunderland when the inspectors visited?",
        "single",
        1,
        [("sun_jtai", "at the time of inspection were 39 weeks")],
    ),
    (
        "Who actually runs early help and children's social care on behalf of Sunderland Council?",
        "single",
        1,
        [("sun_jtai", "together for children (tfc), who are delegated to deliver early help")],
    ),
    (
        "What did the Sunderland inspectors say about how well professionals take account of a child's ethnicity and culture?",
        "single",
        1,
        [("sun_jtai", "ethnicity and cultural heritage are not consistently considered by all professionals")],
    ),
    (
        "Norfolk has changed how MARAC works - what is the new process called and do staff understand it?",
        "single",
        1,
        [
            ("nfk_jtai", "adapted in norfolk into a process known as multi-agency risk assessment co-ordination"),
            ("nfk_jtai", "these arrangements are not consistently understood by practitioners across the partnership"),
        ],
    ),
    (
        "What motto do the consultant social workers who take referrals by phone in Norfolk work to?",
        "single",
        1,
        [("nfk_jtai", "who work to the principle of 'never do nothing'")],
    ),
    (
        "How many children were looked after by Norfolk County Council when Ofsted inspected in July 2013?",
        "single",
        1,
        [("nfk_2013", "at the time of the inspection there were 1,088 looked after children")],
    ),
    (
        "In 2013, what proportion of Norfolk's children in care had their health assessment done late?",
        "single",
        1,
        [("nfk_2013", "40% of children do not have their assessment completed within timescale")],
    ),
    (
        "How big was Haringey's backlog of unallocated cases in early 2009, and how quickly was it cleared?",
        "single",
        1,
        [
            ("har_2009", "a considerable backlog of approximately 400 cases had been identified"),
            ("har_2009", "clear the backlog within a six-week period"),
        ],
    ),
    (
        "By what date was Haringey's three-year improvement plan meant to make its children's service excellent?",
        "single",
        1,
        [("har_2009", "becomes excellent by 31 march 2012")],
    ),
    (
        "What happened to the Merlin police reports that had built up in Haringey's safeguarding hub?",
        "single",
        1,
        [("har_jtai", "file approximately 600 merlin reports without sharing them further")],
    ),
    (
        "Which age group did the deep dive of the Haringey neglect inspection look at?",
        "single",
        1,
        [("har_jtai", "children between seven and 15 years old who have been neglected")],
    ),
    (
        "How many children and young people in Haringey have an EHC plan?",
        "single",
        1,
        [("har_send", "of these, 2,831 have an education, health and care (ehc) plan")],
    ),
    (
        "Can disabled children in Haringey get overnight short breaks, and what is being done about it?",
        "single",
        1,
        [
            ("har_send", "there is no provision for children to have overnight short breaks in haringey"),
            ("har_send", "establishing a short breaks children's home"),
        ],
    ),
    (
        "Why do some Blackpool families with children with SEND miss health appointments?",
        "single",
        1,
        [
            (
                "bpl_send",
                "some health services do not translate medical information, such as appointment letters, into a family's first language",
            )
        ],
    ),
    (
        "What has Blackpool's speech and language service done so parents don't have to take time off work?",
        "single",
        1,
        [("bpl_send", "monthly sunday clinics are held by speech and language practitioners")],
    ),
    (
        "What is 'Together for Families' in Cornwall?",
        "single",
        1,
        [("cwl_send", "'together for families' is the name for children's services run by cornwall council")],
    ),
    (
        "Which children with SEND in Cornwall have the least positive experience?",
        "single",
        1,
        [
            (
                "cwl_send",
                "for those children and young people of school age with send, their experiences are not consistently positive",
            )
        ],
    ),
    (
        "What is Cornwall's multi-agency front door for child protection referrals called?",
        "single",
        1,
        [("cwl_jtai", "in cornwall, this is known as the multi-agency referral unit (maru)")],
    ),
    (
        "What do Cornwall's early help hub and referral unit offer other professionals to improve referrals?",
        "single",
        1,
        [("cwl_jtai", "bi-weekly 'open afternoons' in the early help hub")],
    ),
    (
        "What is the annual careers fair for young people with SEND in Rotherham called?",
        "single",
        1,
        [("rot_send", "a highly inclusive annual careers fair, the 'leaf event'")],
    ),
    (
        "What are the four cornerstones behind Rotherham's SEND strategy?",
        "single",
        1,
        [("rot_send", "welcome and care, value and include, communicate and work in partnership")],
    ),
    (
        "How many police incident notifications were stuck in Liverpool's MASH during the 2016 inspection?",
        "single",
        1,
        [("lpl_jtai", "there were 481 incidents that had been initially assessed")],
    ),
    (
        "How does Aintree's emergency department handle under-18s differently from the Royal Liverpool?",
        "single",
        1,
        [
            ("lpl_jtai", "aintree ed uses separate casualty assessment cards for attendees aged under 18 years"),
            ("lpl_jtai", "however, this is not the practice at royal liverpool"),
        ],
    ),
    (
        "How many agency social workers were working in children's services in England according to the ADCS research?",
        "single",
        1,
        [("adcs", "national data showed 7,200 full-time-equivalent agency social workers in post")],
    ),
    (
        "How much has spending on residential care placements for children grown?",
        "single",
        1,
        [("adcs", "spending on these placements rose by 90% to £2.4bn")],
    ),
    (
        "What share of children in care nationally are unaccompanied asylum seekers?",
        "single",
        1,
        [("adcs", "uas children represented around 8.5% of children in care nationally")],
    ),
    (
        "What proportion of open child abuse and neglect cases in West Virginia involve substance misuse?",
        "single",
        1,
        [("wv", "83% of open child abuse/neglect cases involve substance abuse")],
    ),
    (
        "Who set up the Mercer County Families First steering committee?",
        "single",
        1,
        [("wv", "judge swope developed the mercer county families first (mcff) steering committee")],
    ),
    (
        "Is the D2I data service diagnostic an inspection, and how long is the workshop?",
        "single",
        1,
        [
            ("d2i", "the d2i service diagnostic isn't an inspection"),
            ("d2i", "a framework for a full day workshop with local stakeholders"),
        ],
    ),
    (
        "How many people came to the May NVEST meeting on Families First?",
        "single",
        1,
        [("nvest", "212 members attended representing 89 local authorities")],
    ),
    (
        "When did Ofsted's chief inspector say her staff received the select committee's testing report?",
        "single",
        1,
        [("committee", "i think we got a pdf copy yesterday evening at about 7 o'clock")],
    ),
    (
        "How many chances to intervene did agencies miss with the family of the Edlington brothers?",
        "single",
        1,
        [("doncaster", "between them they missed 31 chances to intervene")],
    ),
    (
        "How many directors of children's services left their jobs in the year before Ofsted's first social care annual report?",
        "single",
        1,
        [("wilshaw", "50 out of the total of 152")],
    ),
    (
        "Where were young offenders moved to when Feltham filled up after the 2011 riots?",
        "single",
        1,
        [("feltham", "transferred 200 miles away to hindley yoi in wigan")],
    ),
    (
        "How many new Texas CPS caseworkers quit within their first six months?",
        "single",
        1,
        [("tx_turnover", "within six months, 33 of them will quit")],
    ),
    (
        "What caseload does the Child Welfare League of America recommend for investigators?",
        "single",
        1,
        [("tx_turnover", "recommends that investigators carry no more than 12 cases at one time")],
    ),
    (
        "What happened to the Angleton caseworker Stacey Casey on a home visit?",
        "single",
        1,
        [("tx_violence", "stacey casey did her best to fight off the two dogs attacking her")],
    ),
    (
        "How many child deaths did the Statesman look at for its investigation?",
        "single",
        1,
        [("tx_deaths", "reviewed nearly 800 child fatality reports")],
    ),
    # --- multi: several documents answer
    (
        "For every joint targeted area inspection letter, by what date did the partnership have to send its written statement of action?",
        "multi",
        3,
        [
            ("tby_jtai", "ofsted.gov.uk by 9 may 2024"),
            ("bpl_jtai", "ofsted.gov.uk by 9 may 2025"),
            ("sun_jtai", "ofsted.gov.uk by 23 june 2023"),
            ("nfk_jtai", "ofsted.gov.uk by 11 june 2025"),
            ("lpl_jtai", "ofsted.gov.uk by 8 november 2016"),
            ("har_jtai", "ofsted.gov.uk by 11 may 2018"),
            ("cwl_jtai", "ofsted.gov.uk by 6 march 2019"),
        ],
    ),
    (
        "Which areas recently moved from a shared safeguarding partnership with neighbouring councils to one of their own?",
        "multi",
        2,
        [
            (
                "tby_jtai",
                "reconstituted in 2020 following a short period of alignment with a neighbouring local authority",
            ),
            (
                "bpl_jtai",
                "moved from joint multi-agency safeguarding arrangements (masa) with other neighbouring areas",
            ),
        ],
    ),
    (
        "What do the inspections say about how long children wait for CAMHS?",
        "multi",
        3,
        [
            ("sun_jtai", "at the time of inspection were 39 weeks"),
            ("tby_jtai", "those children assessed as lower risk face substantial waiting lists"),
            ("cwl_send", "have been reduced significantly"),
            (
                "cwl_jtai",
                "current waiting times for a child and adolescent mental health service (camhs) assessment are being reduced",
            ),
            (
                "har_send",
                "waiting too long to receive therapeutic input from child and adolescent mental health services",
            ),
        ],
    ),
    (
        "Which reports mention Operation Encompass, and what do they say about it?",
        "multi",
        3,
        [
            ("tby_jtai", "operation encompass works well"),
            ("bpl_jtai", "operation encompass is very effective in helping schools"),
            ("nfk_jtai", "the implementation and monitoring of operation encompass"),
        ],
    ),
    (
        "Which area SEND inspections found children waiting too long for autism or neurodevelopmental assessments?",
        "multi",
        3,
        [
            (
                "cwl_send",
                "progress in reducing the wait time for neuro-development assessments has not been as successful",
            ),
            (
                "rot_send",
                "some children and young people wait too long to receive a diagnosis of their neurodevelopmental needs",
            ),
            ("har_send", "there are several entry points to the under-12 autism diagnostic pathway"),
            ("bpl_send", "the pre-school neurodevelopmental pathway and the long waits for wheelchairs"),
        ],
    ),
    (
        "Which local areas were told their SEND arrangements lead to inconsistent experiences for children?",
        "multi",
        2,
        [
            ("bpl_send", "arrangements lead to inconsistent experiences and outcomes"),
            ("cwl_send", "arrangements lead to inconsistent experiences and outcomes"),
        ],
    ),
    (
        "How have the backlogs of child protection cases in Haringey changed between the 2009 and 2017 inspections?",
        "multi",
        2,
        [
            ("har_2009", "a considerable backlog of approximately 400 cases had been identified"),
            (
                "har_jtai",
                "a backlog of approximately 200 cases is awaiting a full risk assessment by the police in the mash",
            ),
        ],
    ),
    (
        "How has the inspectors' view of Norfolk's leadership changed between the 2013 inspection and the 2025 joint inspection?",
        "multi",
        2,
        [
            (
                "nfk_2013",
                "the local authority's ambition for looked after children and care leavers has been set too low",
            ),
            ("nfk_jtai", "strong strategic leadership and collaborative partnership arrangements in norfolk"),
        ],
    ),
    (
        "Has the wait for CAMHS in Cornwall improved since the 2018 joint inspection?",
        "multi",
        2,
        [
            ("cwl_jtai", "the intention that the current backlog will be cleared by the end of december 2018"),
            ("cwl_send", "have been reduced significantly"),
        ],
    ),
    (
        "Blackpool was on Ofsted's 2013 list of inadequate councils - what do inspectors say about its leadership now?",
        "multi",
        2,
        [
            ("wilshaw", "the 20 judged inadequate were barnsley, bexley, birmingham, blackpool"),
            ("bpl_jtai", "a strong, caring leadership ethos, based on doing what is right for children in blackpool"),
        ],
    ),
    (
        "Which documents show Norfolk's services for children being judged inadequate?",
        "multi",
        2,
        [
            ("wilshaw", "the 20 judged inadequate were barnsley, bexley, birmingham, blackpool"),
            (
                "nfk_2013",
                "the local authority is not carrying out its statutory responsibilities for looked after children",
            ),
        ],
    ),
    (
        "How much time do Texas CPS caseworkers actually spend with families?",
        "multi",
        2,
        [
            ("tx_turnover", "they spend just 26 percent of their time with children and families"),
            ("tx_deaths", "spent only about one-quarter of their time with clients"),
        ],
    ),
    (
        "How have assaults on Texas CPS caseworkers changed in recent years?",
        "multi",
        2,
        [
            (
                "tx_turnover",
                "the number of assaults on caseworkers has jumped from just two in fiscal years 2011 and 2012",
            ),
            (
                "tx_violence",
                "the number of assaults on caseworkers has jumped from just two in fiscal years 2011 to 11 in 2014",
            ),
        ],
    ),
    # --- none: on topic, not answered by the documents
    ("How many weeks were children in Torbay waiting for CAMHS at the time of the inspection?", "none", 1, []),
    ("What was the exact permanent exclusion rate in Blackpool schools in 2023?", "none", 1, []),
    ("How many children in Rotherham have an education, health and care plan?", "none", 1, []),
    ("What did Ofsted conclude when it re-inspected Haringey's safeguarding services in 2012?", "none", 1, []),
    ("How many looked after children did Norfolk have at the 2011 inspection?", "none", 1, []),
    (
        "What overall grade did Ofsted give Liverpool's children's services in its July 2014 single inspection?",
        "none",
        1,
        [],
    ),
    ("How many young people had been enrolled in Safe at Home West Virginia by April 2021?", "none", 1, []),
    ("How many Texas children died from abuse or neglect in 2016?", "none", 1, []),
    (
        "What did the joint targeted area inspection of Kent find about children living with domestic abuse?",
        "none",
        1,
        [],
    ),
    ("When is Sunderland's next area SEND inspection due?", "none", 1, []),
    ("How many members attended the NVEST meeting in September 2025?", "none", 1, []),
    ("Which children's services trust took over Doncaster's services, and who chaired it?", "none", 1, []),
    ("What did HM Inspectorate of Prisons find when it went back to Feltham in 2013?", "none", 1, []),
    ("What overall judgement did Ofsted give Cornwall's children's services in its 2024 inspection?", "none", 1, []),
    # --- keyword: bare search terms
    ("Clare's Law", "keyword", 1, [("nfk_jtai", "domestic violence disclosure scheme (clare's law)")]),
    ("Awaken exploitation team", "keyword", 1, [("bpl_jtai", "multidisciplinary specialist team called awaken")]),
    (
        "Merlin reports PND checks",
        "keyword",
        1,
        [("har_jtai", "file approximately 600 merlin reports without sharing them further")],
    ),
    (
        "age assessments asylum seekers increase",
        "keyword",
        1,
        [("adcs", "from 212 to 412, representing a 94% increase")],
    ),
]
