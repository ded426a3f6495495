"""The patterns around a count that tell its role (earlier, another event, revised), its
place or period, and what is not a claim at all (ages, dates, statistics).
"""

from __future__ import annotations

import re

from digest.claims.numbers import COUNT, TENS, UNITS, WORD_NUM
from digest.claims.words import AFTER, AUX, AUX_GROUP, BEFORE, STOP, TOLLS, _alternation

# "144 people dead", "360 others wounded", "21 Israelis", "three soldiers were killed"
AFTER_RE = re.compile(
    rf"(?P<group>(?:\s+(?!{AUX_GROUP}\b|{STOP}\b|{WORD_NUM}\b|(?:{_alternation(AFTER)})\b)"
    rf"[A-Za-z][\w'’.-]*){{0,4}}?)"
    # ("Nearly 50 men, women and children demonstrated": fourteenth session)
    r"(?:\s*,\s*women\s+and\s+children|\s+and\s+(?:women|children))?"
    # "Three soldiers and one activist were killed": the first count shares the verb
    rf"(?P<coord>\s+and\s+(?:an?|{WORD_NUM}|\d[\d,]*)(?:\s+(?!{AUX}\b|{STOP}\b)[A-Za-z][\w'’.-]*){{1,3}}?)?"
    # ("The 228 passengers and crew are presumed dead", eleventh session)
    rf"(?:\s+and\s+(?:[a-z]+s|crew|staff))?"
    # "At least 69 people from the province died" (where they came from; the scope reads it)
    r"(?:(?:\s+(?:people|persons|others))?\s+from\s+(?:the\s+(?:province|city|region|village|town|area|district|state|island)|"
    r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?))?"
    # "the 113 people, nearly all of them Germans, who were killed"
    # ("Eleven people, including three children, died")
    r"(?:(?:\s+(?:people|persons|others))?\s*,\s*(?:(?:nearly\s+|almost\s+|most\s+|many\s+|"
    r"some\s+|all\s+)*(?:of\s+)?(?:them|whom)|including|among\s+them)\s+[^,.;]{1,30},)?"
    # "The four men, who were in the city to install phones, were taken hostage"
    r"(?:\s*,\s*(?:who|which)\s+[^,.;()]{1,70},)?"
    # "Three miners in the two cars were injured": where they were, between count and verb
    r"(?:\s+(?:in|at|inside|on)\s+(?:(?:the|a|an|their|its|his|her)\s+)?(?:[\w'’-]+\s+){0,2}?"
    r"[\w'’-]+(?=\s*,?\s+(?:were|was|have|had|died|survived)\b))?"
    # ("13 villagers were summarily shot and killed": any adverb between)
    # (not the first half of a compound: "captive-bred pandas")
    rf"(?:\s+(?:{AUX}|who|that|[a-z]+ly))*\s+(?P<verb>{_alternation(AFTER)})\b(?![-‐])"
    # ("left three dead and injured 25 others": "injured" has a count of its own, so "three"
    # is the dead, not casualties; the review of the fourteenth session)
    rf"(?!(?<=and injured|and wounded)\s+(?:\d|(?:{WORD_NUM})\b|at least|more than|about|"
    r"some|nearly|almost|over|dozens|hundreds|scores))", re.I)
# "Seven of those 77 people died": the first count is the claim, the rest its scope.
PART_OF = re.compile(
    rf"\s+of\s+(?P<scope>(?:the|those|these|them)(?:\s+(?:{COUNT}))?(?:\s+[a-z][\w'-]*){{0,2}}?)"
    # ("Three of the 12 people in the car were injured": where the whole was)
    rf"(?:\s+(?:in|at|on|inside)\s+(?:the|a|an|their)\s+[\w'’-]+)?"
    rf"(?:\s+{AUX})*\s+(?P<verb>{_alternation(AFTER)})\b", re.I)
BEFORE_RE = re.compile(
    rf"\b(?P<verb>{_alternation(BEFORE)})"
    # "killed the pilot and 11 passengers", "killed a teacher and 12 classmates": a split
    # ("killed his family and then nine people": fourteenth session)
    r"(?P<first>\s+(?:the|an?|his|her|their|its)\s+[a-z]+\s+and(?:\s+then)?"
    # ("which killed Bhutto and nearly two dozen of her supporters": a named victim, eleventh
    # session)
    r"|\s+(?-i:[A-Z][a-z])[\w'’-]*(?:\s+(?-i:[A-Z][a-z])[\w'’-]*)?\s+and)?"
    r"(?:\s+(?:a\s+total\s+of|the|another|an?\s+additional|a\s+further))?"
    r"(?:\s+(?:the\s+)?[A-Z][\w.-]*['’]s|\s+(?:his|her|their|its|our))?\s*$",
    # ("killed the Kursk's 118-man crew", "killed his two children")
    re.I)
COORD_BEFORE = re.compile(rf"\b(?P<verb>{_alternation(BEFORE)})\s+and\s+$", re.I)
TOLL_RE = re.compile(
    rf"\b(?P<toll>{_alternation(TOLLS)})(?P<mid>(?:\s+(?:[^\s.;]|\.(?=\d))+){{0,8}}?)\s+"
    r"(?:to|at|of|is|was|reached|reaches|hit|hits|neared|nears|from)\s*$", re.I)
# "pushing the national death toll from Hurricane Georges past 150" (the qualifier is the verb)
TOLL_Q_RE = re.compile(rf"\b(?P<toll>{_alternation(TOLLS)})(?P<mid>(?:\s+(?:[^\s.;]|\.(?=\d))+){{0,5}}?)\s*$",
                       re.I)
# the verbs that bring a toll or total to a count ("bringing", "brought", "raises", "took")
BRING = (r"(?:bring(?:s|ing)?|brought|rais(?:es|ed|ing)|push(?:es|ed|ing)|putting|taking|took|"
         r"lift(?:s|ed|ing))")
# "bringing the death toll to 62": the other counts of the sentence are what was added
INCREMENT = re.compile(rf"\b{BRING}\s+(?:the|its)\s+"
                       r"(?:\S+\s+){0,3}?(?:toll|total|number)\b|\btoll\s+(?:\S+\s+){0,8}?"
                       r"(?:reached|rose|climbed)\b[^.;]*\bafter\b", re.I)
# The group between count and verb is a scope ("three soldiers"); these words are not.
PLAIN_GROUPS = {"people", "persons", "others", "other", "more", "victims", "individuals",
                "residents", "of", "them", "those", "total", "additional", "more people",
                "dead", "killed", "new", "confirmed"}

# "each winter", "every year", "a year": a rate or a statistic, not the event's count
PERIODS = r"(?:year|winter|summer|spring|autumn|fall|month|week|day)"
STATISTIC = re.compile(
    rf"\b(?:each|every|per)\s+{PERIODS}\b(?!\s+(?:ago|earlier|before|after))|"
    # "a year" is a rate only where it ends the count's clause, not in "a year after", "within a
    # year", "a day of mourning"
    rf"(?<!within\s)(?<!\bin\s)(?<!over\s)(?<!\bfor\s)(?<!than\s)(?<!half\s)(?<!during\s)"
    # ("a year-long insurgency": a duration, eleventh session)
    rf"\ban?\s+{PERIODS}\b(?![-‐])(?!\s+(?:ago|earlier|before|after|later|since|into|of|when|that|"
    rf"(?:in|on|at)\s+which)\b)|\b(?:annually|everyday|yearly)\b", re.I)
# what happens, not who ("four attacks that killed ...")
EVENT_NOUN = re.compile(r"(?i:attacks?|bombs?|bombings?|blasts?|explosions?|raids?|crashes|"
                        r"storms?|earthquakes?|quakes?|fires|incidents?|accidents?|shootings?|"
                        r"massacres?|clashes|days?|weeks?|months?|years?|hours?)")
# counts of a population, not of people this event touched ("163,190 state inmates in custody")
POPULATION = re.compile(r"\b(?:inmates|prisoners|population|residents)\b", re.I)

# -- not counts of anyone -----------------------------------------------------------------------
MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
          "december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec")
# a month's full name as written in a sentence (capitalised)
MONTH_NAMES = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
               r"December)")
NOT_AFTER = re.compile(
    r"^(?:\s*-?\s*(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centur|"
    r"mph|km|kph|kilomet|miles?|met(?:er|re)s?|feet|foot|ft|inch|percent|per\s+cent|%|degree|"
    r"tons?|tonnes?|acres?|square|kg|kilo|pounds?|lbs?|dollars?|dlrs|euros?|yen|yuan|"
    r"rupees?|marks|francs|cents?|points?|knots|storey|stor(?:y|ies)|floors?|"
    r"a\.m\b|p\.m\b|am\b|pm\b|o'clock|gmt|times\b|th\b|st\b|nd\b|rd\b)|:\d|/\d|\s*,\s*\d"
    rf"|\s+(?:{MONTHS})\b)",
    re.I)
NOT_BEFORE = re.compile(
    rf"(?:[$£€¥]|US\$|dlrs|\b(?:{MONTHS})\.?|\bno\.|\bnumber|\bflight|\broute|\bhighway|\broom|"
    r"\bboeing|\bairbus|\bmd-?|\bdc-?|\binterstate|\bmodel|\btype|"
    r"\bpage|\barticle|\bchapter|\bsection|\bcategory|\bforce|\blevel|\bgrade|\bclass|"
    r"\bpoints?|\bphase|\bversion|\bterm|\bfrom\s+ages?|\baged?|\bages|\bno|\bevery|\bany|"
    r"\beach)\s*$", re.I)
# "no one was killed", "the one who died": "one" is a count only when nothing says otherwise
NOT_ONE = re.compile(r"\b(?:no|every|any|each|which|the|this|that|only|at|from|with|one)\s*$", re.I)
AGE = re.compile(r"[A-Za-z]\s*,\s*$")  # "Smith, 45, was killed" (checked with a comma after)
YEAR = re.compile(r"\b(?i:in|the|of|his|her|its|their|a)\s+(?:[A-Z][a-z]+\.?\s+)?(1[89]\d\d|20\d\d)\b|"
                  # a full date: "crashed on Sept. 2, 1998, killing all 229"
                  rf"\b(?i:{MONTHS})\.?\s+\d{{1,2}},\s+(1[89]\d\d|20\d\d)\b")
SINCE_YEAR = re.compile(r"\b(?:since|until|till|by)\b[^;]{0,80}$", re.I)
EARLIER_START = re.compile(r"^(?:\S+\s+\(\w+\)\s+_\s+)?(?:Earlier|Previously|Initially|At\s+first)\b")
# "when Hurricane Gilbert killed 300" and "the 10th anniversary of clashes that left 48 dead".
OTHER_EVENT = re.compile(
    r"\b(?i:when)\s+(?:(?i:hurricane|typhoon|storm|cyclone)\s+)?[A-Z][a-z]\w*\s+(?i:killed|struck|hit)|"
    # ("in the last year" is the twelve months up to now, not last year: fourteenth session)
    # (but "the last year of the war" is a year gone by: the review of the fourteenth session)
    r"(?i:\banniversary\b|(?<!\bthe\s)\blast\s+(?:year|summer|spring|fall|autumn|winter)\b|"
    r"\bthe\s+last\s+(?:year|years|months|days)\s+of\s+(?:the|a|his|her|its|their)\b|"
    # (eleventh session) "from 1966 to last May, when ... riots in which 1,200 people died": what
    # happened when a month gone by (not "seized last February, ... the 30,000 killed in the
    # insurgency", nor a toll counted "since last May")
    rf"(?<!since\s)\blast\s+(?-i:{MONTH_NAMES})\s*,?\s+when\b|"
    r"\bprevious\s+(?:attack|disaster|storm|bombing|crash)|"
    # "four recent bomb blasts that killed nearly 300": a series of other events
    r"\b(?:recent|earlier|previous|past|other|separate|similar)\s+(?:\S+\s+){0,2}?"
    r"(?:attacks|bombings|blasts|explosions|raids|crashes|disasters|storms|earthquakes|fires|"
    r"incidents|outbreaks|massacres|shootings|accidents)\b)")
# a comparison before the count: "... the way the Hindenburg ended the dirigible, when it crashed
# killing 35", "unlike the Titanic, which ..."
COMPARISON = re.compile(r"\b(?i:the\s+way|unlike|compared\s+(?:with|to)|similar\s+to|"
                        r"reminiscent\s+of|recalling|recalled)\s+(?:the\s+)?[A-Z]")
# "three years ago", near the count only (a clause may mention an old war beside today's toll)
YEARS_AGO = re.compile(rf"\b(?:years|decades)\s+ago\b|\b(?:\d+|{WORD_NUM}|several|a\s+few|many)\s+"
                       r"(?:months|years|decades)\s+(?:earlier|before)\b", re.I)
# "Last year, ...; seven people died": the whole sentence is about another time
OTHER_TIME_START = re.compile(
    rf"^(?:Last\s+(?:year|summer|spring|fall|autumn|winter|{MONTH_NAMES})|In\s+(?:1[89]|20)\d\d)\b")
EARLIER_BEFORE = re.compile(
    r"(?:\b(?:up|down|increased|rose|jumped|climbed|revised|lowered)?\s*\bfrom|"
    r"\b(?:earlier|previous|initial|original|prior|first|preliminary)\s+(?:\S+\s+){0,3}"
    r"(?:of|at|was|were|had\s+been|put\s+at)|\b(?:had|have)\s+(?:earlier|previously|initially|"
    r"originally)\s+(?:\S+\s+){0,3}|\b(?:earlier|previously|initially|originally)"
    # ("earlier this week said they arrested 14": when it was said, not a recounted figure)
    r"(?!\s+(?:this|last|in|on|that|today|tonight)\b)\s+"
    r"(?:\S+\s+){0,2}(?:reported|said|put|estimated|counted|listed)\s+(?:\S+\s+){0,2})\s*$",
    re.I)
EARLIER_AFTER = re.compile(r"[^.;,]{0,25}?\b(?:earlier|previously|initially|at\s+first)\b"
                           r"(?!\s+(?:this|last|in|on|that|today)\b)", re.I)
CURRENT_BEFORE = re.compile(
    r"\b(?:risen|rose|rises|rising|climbed|climbs|jumped|jumps|increased|grown|grew|soared|"
    r"mounted|reached|raised|now|revised|lowered|reduced|cut|corrected|adjusted|updated|"
    r"downgraded)\b(?:\s+\S+){0,4}?\s*$", re.I)
REVISED = re.compile(
    r"\b(?:revised|revising|lowered|lowering|reduced|cut|corrected|downgraded|adjusted|"
    r"down\s+from|backed\s+off|overstated|retracted)\b", re.I)
# Scope after the subject ("killed 7,000 people in Honduras", "dead across Central America").
# (tenth session) words before a place's name that are not the place: a direction ("in northern
# Ruvania", "across southern Europe") or its kind ("in the province of Ancona", "in the southern
# province of Kandor"): the name is the place
# ("in the Indian state of Tamil Nadu": a demonym before the kind, eleventh session)
PLACE_LEAD = (r"(?:(?:the\s+)?(?:[A-Za-z]+\s+)?(?:province|state|region|city|town|village|district|"
              r"island|county|prefecture)\s+of\s+|(?:neighbou?ring|nearby)\s+(?=[A-Z])|"
              r"(?:north|south|east|west|central|"
              r"north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+(?=[A-Z]))?")
PLACE_AFTER = re.compile(
    r"(?:\s+(?:people|persons|others))?(?:\s+(?!(?:and|but|while|after|in|on|at|the|an?|of|to|"
    r"for|from|by|with)\b)\w+){0,4}?(?:\s+as\s+of\s+\w+)?\s*,?\s+(?:in(?:\s+and\s+around)?|across|"
    rf"throughout)\s+{PLACE_LEAD}"
    r"(?P<place>the\s+region|the\s+area|the\s+country|(?:the\s+)?[A-Z][\w.'’-]*"
    r"(?:\s+(?:[A-Z][\w.'’-]*|(?:de|del|of|es)\b))*)", re.A)
# "killing three people on the island"
ON_PLACE = re.compile(r"\s+on\s+(?:the\s+islands?\s+of\s+)?(?P<place>(?<=of\s)[A-Z][\w'’-]*"
                      r"(?:\s+[A-Z][\w'’-]*)*|the\s+(?:island|islands|mainland|coast|border))\b")
# The period of a cumulative toll: "Since the beginning of October, 45 people have died",
# "2,518 killed ... since the start of the operation on August 2, 1999" (a weekday is no period)
PERIOD = (r"\bsince\s+(?P<place>the\s+(?:beginning|start|outbreak)\s+of\s+[^,.;]{1,60}|"
          # "since the Israeli withdrawal", "since the end of its truce", "since taking up arms"
          r"(?:the|its|their)\s+[\w'’-]+(?:\s+(?!(?:with|from|for|in|on|at|and|to|when|which|"
          r"that|who|as|by)\b)[\w'’-]+){0,3}|[a-z]+ing\s+[^,.;_]{1,30}|"
          rf"(?i:{MONTHS})\.?(?:\s+\d{{1,2}})?(?:,?\s+(?:1[89]|20)\d\d|\s+(?:this|last)\s+year)?|"
          # (twelfth session) "has claimed over 6,000 lives since then": the anaphor as written
          r"(?:1[89]|20)\d\d|then\b)")
OPENING = r"""^[\s`'"“‘]*"""  # a sentence's start, past its opening quotes
PERIOD_BEFORE = re.compile(rf"(?:{OPENING}|[;,]\s*){PERIOD.replace('since', '(?i:since)', 1)}\s*,", re.A)
PERIOD_AFTER = re.compile(rf"[^.;]{{0,60}}?{PERIOD}", re.I)
# The period of a cumulative toll said as a stretch of time: "over the past 27 years",
# "in 12 months", "in its 30-year campaign".
SPAN = (r"(?P<place>the\s+(?:past|last)\s+(?:\w+\s+)?(?:years?|months?|weeks?|decades?)|"
        r"\d+\s+(?:years|months|weeks)|\d+-(?:year|month|week)\s+[a-z]+)")
SPAN_AFTER = re.compile(rf"[^.;]{{0,60}}?\b(?:over|in|during|within)\s+(?:(?:a|an|its|their|his)\s+)?"
                        rf"{SPAN}\b", re.I)
SPAN_BEFORE = re.compile(rf"\b(?:over|in|during|within)\s+(?:(?:a|an|its|their|his)\s+)?{SPAN}"
                         rf"[^.;,]{{0,30}}$", re.I)
# ... or opening the sentence: "In the past 20 years, the drug has been linked to 24 deaths"
SPAN_START = re.compile(rf"{OPENING}(?:over|in|during|within)\s+(?:(?:a|an|its|their|his)\s+)?"
                        rf"{SPAN}\s*,", re.I)
# (twelfth session) "This month alone, attacks have killed at least nine": a part of a longer toll
# by its period ("alone" says it is a part)
ALONE_START = re.compile(rf"{OPENING}(?P<place>(?:this|last|that)\s+(?:week|month|year|weekend))"
                         r"\s+alone\s*,", re.I)
# "More than 6,400 people were killed in 2007, the bloodiest year since ...": a year's toll of a
# conflict, said with what makes that year stand out (also in _role: not another time)
YEAR_TOLL = re.compile(r"\s*\bin\s+(?P<place>(?:1[89]|20)\d\d)\s*,\s+(?:the|its|their)\s+"
                       r"(?:\w+\s+)?(?:deadliest|bloodiest|worst|most\s+violent)\s+year\b", re.I)
# an aside set off by dashes ("killed in attacks -- mainly suicide bombings -- in Pakistan over
# the past year"): blanked, so that what follows it is as near as it reads
DASH_ASIDE = re.compile(r"\s--\s[^.;]{1,80}?\s--\s")
# (a name is taken whole: "Dar es Salaam", never "Dar es" with "Salaam" left to the words after)
PLACE = (r"(?P<place>(?:the\s+)?[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|(?:de|del|es)\b))*"
         r"(?![\w.'’-]|\s+(?:[A-Z]|(?:de|del|es)\b))"
         r"(?:\s+(?:city|province|county|region|state|town|village|district|area))?)")
# (fourteenth session) the common nouns of the venues where a shooting, a bombing or a quake's dead
# are counted ("at two brokerage offices", "inside the rink", "at the firm")
VENUES = (r"(?:offices?|firms?|brokerages?|houses?|homes?|schools?|churche?s?|mosques?|synagogues?|"
          r"temples?|markets?|restaurants?|caf[eé]s?|bars?|(?:night)?clubs?|hotels?|hospitals?|malls?|"
          r"stores?|shops?|clinics?|factory|factories|mines?|theaters?|theatres?|cinemas?|stadiums?|rinks?|"
          r"arenas?|embassy|embassies|consulates?|apartments?|company|companies|agency|agencies|"
          r"buildings?|campus(?:es)?|dormitory|dormitories|barracks|prisons?|jails?)")
PLACE_BEFORE = [
    # (eleventh session) "Izmit alone counted 4,100 dead": a place singled out by "alone"
    re.compile(rf"^{PLACE}\s+alone\s+(?:\S+\s+){{0,3}}$"),
    re.compile(rf"(?:^|[;,]\s*)(?i:in|across)\s+{PLACE_LEAD}{PLACE}\s*,\s+(?:[^\s,;]+\s+){{0,10}}$"),
    re.compile(rf"(?:^|[;,]\s*)(?i:in|across)\s+{PLACE_LEAD}{PLACE}\s+(?:\S+\s+){{0,4}}$"),
    re.compile(rf"\b(?:in|across)\s+{PLACE},?\s+where\s+(?:\S+\s+){{0,2}}$"),
    # "on the Philippines' main island where at least 129 people died"
    re.compile(r"\b(?:in|across|on)\s+(?P<place>(?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w'’-]*)*['’]s?"
               r"(?:\s+[a-z]+){1,2}),?\s+where\s+(?:\S+\s+){0,2}$"),
    # "battering the central and northern Philippines with heavy rain that killed at least 82"
    re.compile(rf"\b(?:in|across|hit|struck|battered|lashed|hitting|striking|battering|lashing|"
               rf"pounding|pounded)\s+(?:the\s+(?:[a-z]+\s+(?:and\s+)?){{1,3}}(?=[A-Z]))?"
               # (no other name between: "in the Western Hemisphere to New York, where the virus
               # has killed four" is New York's toll; a day is no place: "Friday's bombing")
               rf"{PLACE}\s+(?:(?![A-Z](?!\w+day\b))[^\s;]+\s+){{0,6}}?"
               rf"(?:has\s+|have\s+)?(?:killed|left|claimed)\s+(?:\S+\s+){{0,2}}$"),
    # "the bombing of the Nairobi embassy, which left more than 200 dead"
    re.compile(rf"\b(?:of|on)\s+{PLACE}\s+(?:embassy|consulate|office|base|station|school|"
               rf"market|hotel|mosque|church),\s+(?:which|that)\s+(?:has\s+|had\s+)?"
               rf"(?:killed|left|claimed|took|cost)\s+(?:\S+\s+){{0,2}}$"),
    # (fourteenth session) a province that posts a toll of its own, the sentence's subject: "Kocaeli
    # province posted the highest toll as 5,179 bodies were found", "Sakarya province, once a
    # district of Izmit, ranked second with 3,046 deaths" (the place named as a place, by its kind)
    re.compile(r"(?:^|[;,]\s*)(?P<place>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*(?:\s+\([^)]{1,30}\))?"
               r"\s+(?:province|state|county|district|region|city|prefecture))(?:\s*,[^,;]{1,80},)?"
               r"\s+(?:posted|recorded|reported|counted|registered|suffered|ranked\s+(?:first|second|"
               r"third|fourth|fifth|next))\s+(?:[^\s;]+\s+){0,5}?(?:with|as)\s+$"),
    # "the embassy in Dar es Salaam, which took 10 lives": where the event that killed was
    re.compile(rf"\b(?:in|at)\s+{PLACE},\s+(?:which|that)\s+(?:has\s+|had\s+)?"
               rf"(?:killed|left|claimed|took|cost)\s+(?:\S+\s+){{0,2}}$"),
]
# In a story of several events, the event a count belongs to, when the sentence points at it:
# "That explosion killed one woman", "The Centennial Olympic Park explosion killed one person",
# "Nine people were injured in those explosions". ("The explosion killed five" names no event.)
EVENT_WORDS = (r"(?:explosions?|blasts?|bombings?|bombs?|attacks?|shootings?|rampage|fires?|crash|"
               r"massacres?|raids?|ambush)")
EVENT_BEFORE = re.compile(
    rf"(?:\b(?P<this>(?i:that|this|those|these)\s+(?:[a-z]+\s+)?{EVENT_WORDS})|"
    rf"(?:^|\b[Tt]he\s+)(?!(?i:the|an?|this|that|these|those|its?|their)\b)(?P<name>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){{0,3}})\s+{EVENT_WORDS})"
    r"\s+(?:that\s+|which\s+)?(?:has\s+|had\s+)?(?:killed|injured|wounded|left|claimed)"
    r"\s+(?:\S+\s+){0,2}$")
EVENT_AFTER = re.compile(rf"\s+(?:in|by)\s+(?P<place>(?:that|this|those|these)\s+(?:[a-z]+\s+)?"
                         rf"{EVENT_WORDS})\b")
# (tenth session) the place of the event the count is tied to, named after it: "arrested 14
# people in the bombing of the U.S. Embassy in Dar es Salaam", "14 foreigners arrested in
# connection with the embassy bombing in Ruvania"
EVENT_PLACE = re.compile(
    rf"[^.;,]{{0,50}}?\b(?:in|of|over|for|from|during|with)\s+(?:the|a|an|last\s+\w+['’]s)\s+"
    # (not a superlative's domain: "killed 145 in the deadliest attack in Russia in decades")
    rf"(?:(?!(?:\w+est|worst|most)\b)[\w.'’-]+\s+){{0,4}}?{EVENT_WORDS}(?:\s+(?:of|at|on)\s+(?:the\s+|an?\s+)?"
    rf"[\w.'’-]+(?:\s+[\w.'’-]+){{0,3}}?)?\s+(?:in|at)\s+{PLACE}"
    # ("the embassy attacks in Kenya and Tanzania": both places are the whole event)
    rf"(?!,?\s+and\s+[A-Z])")
# (tenth session) a split by month: "38 people died in January, 33 in February and 10 in the
# first week of March" (the guideline's figures of different periods; one month alone is none)
MONTH_AFTER = re.compile(rf"(?:\s+others)?\s+(?:in|during)\s+(?P<place>(?:the\s+(?:first|second|"
                         rf"third|fourth|last|final)\s+(?:week|half|fortnight)\s+of\s+)?"
                         rf"{MONTH_NAMES})\b")
MONTH_IN = re.compile(rf"\b(?:in|during)\s+(?:the\s+\w+\s+\w+\s+of\s+)?{MONTH_NAMES}\b")
# "hospitalized with hypothermia": for the sick and injured, the ailment is the scope
AILMENT = re.compile(r"\s+with\s+(?P<place>[a-z]+)")
NOT_PLACES = set(MONTHS.split("|")) | {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "the",
    "a", "an", "his", "her", "their", "its", "this", "that"}
# A paragraph needs one of these (lowercased substrings) for its sentences to be read at all.
# (Substring tests on the lowercased text: measured 2.7 times faster than one regex alternation
# of the same words; the numbers test looks for a digit first, the number words only then.)
TRIGGERS = ("kill", "dead", "died", "death", "toll", "injur", "wound", "hurt", "missing",
            "arrest", "detain", "custody", "evacu", "displac", "homeless", "fled", "flee",
            "from their homes", "rescu", "abduct", "kidnap", "hostage", "drown", "perish", "slain", "crush",
            "fatal", "lives", "bodies", "hospital", "released", "freed", "trapped", "sick", " ill",
            "infect", "sentenced", "captive", "execut", "heads", "intensive care", "aboard",
            "on board", "seized", "casualt", "froze", "demonstrat", "protest", "marched",
            "took part",
            # the forms the reader learnt in the ninth and tenth sessions (a disease's cases,
            # saved, carrying, refugees, charged, affected, their condition, without power,
            # lost their homes, rallies), which it never saw in an ingested article: not
            # "march", which every date in March has
            "cases", "saved", "carrying", "charged", "indict", "affected", "without power",
            "without electricity", "without water", "condition", "electrocut", "their homes",
            "refuge", "shelter", "rally", "burns", "smoke inhalation",
            # (eleventh session) held in connection with an attack; struck down by a virus
            "in connection with", "struck down", "unaccounted", "captur", "survivor", "seiz", "remains of",
            "convict", "without homes")
DIGIT = re.compile(r"\d")
NUMBER_WORDS = frozenset([*UNITS[1:], *TENS, "dozen", "dozens", "scores", "hundred", "hundreds",
                          "thousand", "thousands", "million", "millions"])
# punctuation to spaces, so that "two," and "twenty-five" split into plain words
PUNCTUATION = str.maketrans(dict.fromkeys("-–—,.;:!?()[]\"'“”‘’_/", " "))


# a count, its noun, then the next verb of a list: "seven people, sickened "
LISTED_VERB = re.compile(r"[^,]*,\s+(?:and\s+)?[a-z]+ed(?:\s+(?:about|some|nearly|almost|at\s+least|"
                         r"more\s+than|over))?\s*")


ANY_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
