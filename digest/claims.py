"""Claims: the counts of people a news sentence states, read with their words around them.

`read_claims(sentence)`: every count a casualty word (or another common news count: hostages,
rescued, evacuated...) is about becomes a `Claim`: subject, scope ("in Honduras", "soldiers"),
the value with its qualifier as an interval (at least 5 -> [5, open)), and its role: the
article's `current` figure, an `earlier` one it recounts ("up from 95"), or one about
`other_event` ("when Gilbert killed 300 in 1988"). Ages, dates, times, money, speeds and
measures are not counts of anyone and are skipped. `article_claims` reads an article's
headline, body and captions (a caption is not prose to summarize, but a figure in it is still
the outlet's claim). `figures.py` turns the claims of a story into lines over time.

The reading is a cascade of patterns around each number, in this order: what the number is
not (`_excluded`), what it counts (`_subject`: "the bodies of N", a toll noun, "N people were
killed", "killing N"), where or whom (`_scope`), and whether it is the article's figure now
(`_role`). Labelled sentences and the scores: docs/benchmarks.md, "Figures".

`learned_claims` is the same reading weighed by a model learnt from the labelled sentences
(`claim_model`; section "the learned reader" below): measured, not digest's default, since on
story-level folds it did not beat the rules.
"""


from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace

from digest import claim_model
from digest.models import Article, Claim, FigurePoint, Qualifier, Role

# -- numbers ------------------------------------------------------------------------------------
UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORD_VALUES = {w: i for i, w in enumerate(UNITS)} | {w: 20 + 10 * i for i, w in enumerate(TENS)}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
# Vague counts as the interval the words allow (the labelled set's reading).
VAGUE = {
    "half a dozen": (6, 6), "half a million": (500_000, 500_000), "a half-dozen": (6, 6),
    "half-dozen": (6, 6), "a half dozen": (6, 6),
    "several dozen": (24, 99), "several hundred": (200, 999), "several thousand": (2000, 9999),
    "several dozens": (24, 99), "several hundreds": (200, 999), "several thousands": (2000, 9999),
    "a dozen": (12, 12), "one dozen": (12, 12), "two dozen": (24, 24),
    "three dozen": (36, 36), "dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999),
    "a hundred": (100, 100), "a thousand": (1000, 1000), "thousands": (2000, 9999),
    "tens of thousands": (20_000, 99_999), "hundreds of thousands": (200_000, 999_999),
    "millions": (2_000_000, 9_999_999),
    # (eleventh session) "grieving for the dozen people killed": the dozen is twelve
    "the dozen": (12, 12),
}
WORD_NUM = (r"(?:(?:" + "|".join(TENS) + r")(?:[- ](?:" + "|".join(UNITS[1:10]) + r"))?|"
            + "|".join(sorted(UNITS[1:], key=len, reverse=True)) + ")")
DIGITS = r"\d+(?:,\d+|,\s\d{3}(?!\d))*(?:\.\d+)?"  # "1,0000" and "7, 956" read as written
# "1.5 million", "two hundred", "One hundred fourteen", "three thousand five hundred"
COUNT = (rf"(?:{DIGITS}|{WORD_NUM})(?:\s+(?:hundred|thousand|million|billion)"
         rf"(?:(?:\s+and)?\s+{WORD_NUM}(?:\s+hundred)?(?!\s+(?:thousand|million|billion)))?)?")
VAGUE_RE = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(VAGUE, key=len, reverse=True))
QUALIFIERS: dict[str, Qualifier] = {
    "at least": "lower", "more than": "lower", "over": "lower", "upwards of": "lower",
    "in excess of": "lower", "no fewer than": "lower", "no less than": "lower", "past": "lower",
    "well over": "lower", "above": "lower", "a minimum of": "lower",
    # the verbs of a toll that passes a figure: its lower bound ("the toll surpassed 12,000")
    "exceeded": "lower", "exceeds": "lower", "exceeding": "lower", "surpassed": "lower",
    "surpasses": "lower", "surpassing": "lower", "topped": "lower", "tops": "lower",
    "topping": "lower", "passed": "lower", "passes": "lower", "nearly": "upper",
    "almost": "upper", "up to": "upper", "fewer than": "upper", "less than": "upper",
    "as many as": "upper", "under": "upper", "at most": "upper", "no more than": "upper",
    "close to": "upper", "as high as": "upper", "about": "approx", "around": "approx", "roughly": "approx",
    "approximately": "approx", "an estimated": "approx", "estimated": "approx",
    "some": "approx", "between": "range",
}
QUAL_RE = "|".join(q.replace(" ", r"\s+") for q in sorted(QUALIFIERS, key=len, reverse=True))
MENTION = re.compile(
    rf"(?<![\w$£€¥.,/:-])(?:(?P<q>{QUAL_RE})\s+)?(?:all\s+)?"
    rf"(?P<a>{VAGUE_RE}|{COUNT})"
    rf"(?:\s*(?P<sep>-|–|\bto\b|\bor\b|\band\b)\s*(?P<b>{COUNT})(?![\w%-]))?"
    rf"(?P<post>\s+or\s+more|\+|-plus)?(?![\w%])",
    re.I,
)


def parse_count(raw: str) -> tuple[int, int] | None:
    """The interval a count stands for ("two hundred" -> (200, 200), "dozens" -> (24, 99))."""
    words = " ".join(raw.lower().split())
    if words in VAGUE:
        return VAGUE[words]
    scale = 1
    head, _, last = words.rpartition(" ")
    if head and last in SCALES:
        words, scale = head, SCALES[last]
    if words[0].isdigit():
        try:
            value = float(words.replace(",", "").replace(" ", ""))
        except ValueError:
            return None
        n = round(value * scale)
        return (n, n)
    total = current = 0  # words: "one hundred fourteen" = 1 * 100 + 14
    for p in re.split(r"[- ]+", f"{words} {last}" if scale > 1 else words):
        if p in WORD_VALUES:
            current += WORD_VALUES[p]
        elif p == "hundred":
            current = max(current, 1) * 100
        elif p in SCALES:
            total += max(current, 1) * SCALES[p]
            current = 0
        elif p != "and":
            return None
    return (total + current, total + current)


# -- what the count is about --------------------------------------------------------------------
# Subject words after the count ("144 people dead"), the form a verb takes after one.
AFTER: dict[str, str] = {
    "killed": "killed", "dead": "killed", "died": "killed", "die": "killed", "deaths": "killed",
    "death": "killed",
    "froze to death": "killed", "fatalities": "killed", "perished": "killed", "drowned": "killed",
    "slain": "killed", "bodies": "killed", "lost their lives": "killed",
    "confirmed dead": "killed", "injured": "injured", "wounded": "injured", "hurt": "injured",
    "injuries": "injured", "missing": "missing", "unaccounted for": "missing",
    "arrested": "arrested", "detained": "arrested", "arrests": "arrested",
    "taken into custody": "arrested", "evacuated": "displaced",
    "displaced": "displaced", "homeless": "displaced", "evacuees": "displaced",
    "fled their homes": "displaced", "hostages": "other:hostages", "held hostage":
    "other:hostages", "taken hostage": "other:hostages", "rescued": "other:rescued",
    "released": "other:released", "freed": "other:released", "trapped": "other:trapped",
    "hospitalized": "injured", "hospitalised": "injured", "in intensive care": "injured",
    "sickened": "other:sick", "fell ill": "other:sick", "infected": "other:sick",
    "kidnapped": "other:hostages", "abducted": "other:hostages", "captive": "other:hostages",
    "casualties": "other:casualties", "from their homes": "displaced",
    "forced to flee": "displaced", "fled": "displaced",
    "held captive": "other:hostages", "sentenced": "other:sentenced", "executed": "killed",
    "severed heads": "killed", "aboard": "other:aboard", "on board": "other:aboard",
    # general forms of news reporting (invented examples in tests/test_figures.py)
    "shot dead": "killed", "shot to death": "killed", "gunned down": "killed",
    "burned to death": "killed", "crushed to death": "killed", "stabbed to death": "killed",
    "beaten to death": "killed", "among the dead": "killed", "among those killed": "killed",
    "among the victims": "killed", "victims": "killed",
    "among the injured": "injured", "among the wounded": "injured",
    "taken to hospital": "injured", "taken to the hospital": "injured",
    "taken to hospitals": "injured", "treated for injuries": "injured",
    "treated in hospital": "injured", "in hospital": "injured",
    "in custody": "arrested", "in police custody": "arrested", "in detention": "arrested",
    "held by police": "arrested", "held for questioning": "arrested",
    "held without charge": "arrested", "behind bars": "arrested",
    "hostage": "other:hostages", "on the flight": "other:aboard", "on the plane": "other:aboard",
    "demonstrated": "other:protesters", "protested": "other:protesters",
    "marched": "other:protesters", "took part in the demonstration": "other:protesters",
    "took part in the protest": "other:protesters", "took part in the rally": "other:protesters",
    "took part in the march": "other:protesters",
    # (found on the train split's misses and on invented wire sentences; tests/test_figures.py)
    # the people a protest counts, named by what they do ("Thousands of demonstrators rallied")
    **dict.fromkeys(("protesters", "demonstrators", "marchers", "strikers", "gathered to protest",
                     "rallied", "took to the streets"), "other:protesters"),
    **dict.fromkeys(("refugees", "told to leave their homes", "ordered to leave their homes",
                     "ordered to evacuate", "told to evacuate", "forced from their homes",
                     "driven from their homes", "made homeless", "rendered homeless"), "displaced"),
    **dict.fromkeys(("shot and wounded", "sustained injuries", "suffered injuries",
                     "suffered burns", "sustained burns", "admitted to hospital",
                     "admitted to the hospital", "rushed to hospital", "rushed to the hospital",
                     "among those injured", "among those hurt", "among those wounded"),
                    "injured"),
    **dict.fromkeys(("shot and killed", "succumbed to their injuries", "succumbed to injuries",
                     "succumbed to their wounds"), "killed"),
    **dict.fromkeys(("taken into police custody", "among those arrested"), "arrested"),
    "among the missing": "missing",
    # a disease's count ("11 cases of hemorrhage", "340 confirmed cases"): see DISEASE
    "cases": "other:sick", "confirmed cases": "other:sick", "suspected cases": "other:sick",
    # (tenth session: found by reading invented wire and WikiNews sentences through the rules)
    # the injured by their condition or treatment ("Two people remain in critical condition")
    **dict.fromkeys(("in critical condition", "in serious condition", "in stable condition",
                     "in a critical condition", "in a serious condition", "in a stable condition",
                     "treated for burns", "treated for smoke inhalation", "treated for wounds"),
                    "injured"),
    # (eleventh session: found on modern web news, train2) "All four were being treated for
    # serious injuries", "Two soldiers are being held in connection with the attack"
    **dict.fromkeys((f"treated for {how} injuries" for how in (
        "serious", "minor", "severe", "critical", "life-threatening", "non-life-threatening",
        "head", "burn", "multiple")), "injured"),
    "held in connection with": "arrested",
    # "78 passengers have been struck down by norovirus" (a disease's, see DISEASE)
    "struck down by": "other:sick", "struck down with": "other:sick",
    # "Fifteen sailors were captured by Iranian forces" (seized people, as the guideline reads
    # them); "2,000 people remain in shelters"
    # ("convicted of", not the adjective of "130 convicted murderers")
    "captured": "arrested", "convicted of": "other:sentenced",
    "without homes": "displaced", "without shelter": "displaced",
    **dict.fromkeys(("in shelters", "in emergency shelters", "in temporary shelters",
                     "in evacuation centers", "in evacuation centres", "in relief camps"),
                    "displaced"),
    "electrocuted": "killed",
    **dict.fromkeys(("lost their homes", "left without shelter", "sought refuge", "sought shelter",
                     "took refuge", "taken refuge", "forced to leave their homes",
                     "forced out of their homes"), "displaced"),
    **dict.fromkeys(("fallen ill", "fell sick", "became ill", "become ill", "taken ill"),
                    "other:sick"),
    # the guideline's "affected, left without power/water" and "accused, charged"
    **dict.fromkeys(("affected", "without power", "without electricity", "without water",
                     "without drinking water"), "other:affected"),
    **dict.fromkeys(("charged", "indicted"), "other:charged"),
    # a protest's crowd: "About 300 students gathered outside the ministry to protest" (a crowd
    # gathered for nothing said is no protest: see GATHERED_FOR)
    **dict.fromkeys(("gathered", "assembled", "joined the protest", "joined a protest",
                     "joined the protests", "joined the demonstration", "joined a demonstration",
                     "joined the march", "joined the rally", "attended the rally",
                     "attended a rally", "attended the protest", "attended a protest",
                     "attended the demonstration", "attended a demonstration"),
                    "other:protesters"),
}
GATHERED_FOR = re.compile(r"[^.;]{0,80}?\b(?:to\s+(?:protest|demonstrate|demand|denounce|"
                          r"condemn|oppose|call\s+for)|in\s+(?:protest|support|solidarity)|"
                          r"for\s+(?:a|the)\s+(?:protest|rally|demonstration|march))\b", re.I)
# Subject words after the count that yield to a verb before it ("killing all 229 people aboard").
WEAK_AFTER = {"aboard", "on board", "released", "freed", "captive", "victims", "on the flight",
              "captured",
              "on the plane", "protesters", "demonstrators", "marchers", "strikers", "refugees",
              "cases"}
# Subject words after the count that are nouns: a verb before the count says what befell them
NOUN_SUBJECTS = {"hostages", "victims", "protesters", "demonstrators", "marchers", "strikers",
                 "refugees", "evacuees", "casualties", "bodies", "cases"}
# Nouns after the count that yield to a verb right after them ("12 victims were injured").
CHAIN_AFTER = {"victims", "protesters", "demonstrators", "marchers", "strikers", "refugees",
               "hostages"}
# cases not yet known to be the disease's
UNCONFIRMED = re.compile(r"\b(?:under\s+investigation|being\s+(?:investigated|tested)|"
                         r"awaiting\s+(?:test|confirmation))", re.I)
# "cases" counts the sick only where the sentence is about a disease (not "two cases of fraud")
DISEASE = re.compile(r"\b(?:\w*virus|viral|disease|outbreak|epidemic|pandemic|infect|flu\b|influenza|"
                     r"fever|cholera|measles|malaria|hepatitis|tuberculosis|meningitis|"
                     r"encephalitis|poison|hemorrhag|haemorrhag|illness|sick|ill\b|symptom)",
                     re.I)
# Counts of animals and machines are not claims ("seven dead crows", "killed thousands of wild
# birds", "infected tens of thousands of computers").
ANIMALS = re.compile(r"\s+(?:of\s+)?(?:\w+\s+){0,2}?(?:birds?|crows?|horses?|cattle|animals?|fish|dogs?|"
                     r"chickens?|sheep|pigs?|cows?|mosquito(?:e?s)?|wolves|bears?|elephants?|whales?|"
                     r"dolphins?|monkeys?|deer|tigers?|lions?|head\s+of|cats?|kittens?|rats?|"
                     r"mice|goats?|poultry|livestock|"
                     # (eleventh session: "Another 20 eagles died")
                     r"eagles?|hawks?|owls?|geese|ducks?|swans?|penguins?|pelicans?|gulls?|storks?|seals?|"
                     r"turtles?|sharks?|"
                     r"bats|bees|frogs?|gorillas?|chimpanzees?|apes?|pandas?|rabbits?|squirrels?|"
                     r"foxes|wolf|"
                     # what a computer virus infects
                     r"computers?|machines?|PCs|servers?|files?|messages?|e-?mails?|systems?|"
                     r"websites?|web\s+sites?|domains?|accounts?|devices?|phones?|networks?)\b",
                     re.I)
# Counts of places, buildings, vehicles and plans are not of people either ("evacuate all 144
# settlements", "killing 38 construction projects", "four 700-year-old villages"): the noun right
# after the count, or after up to two words that describe it ("38 military construction projects";
# not "500 people in villages").
THINGS = re.compile(r"\s+(?:(?!(?:in|of|from|at|on|to|and|or|the|people|persons|others|who|were|"
                    r"was|have|had|are)\b)[\w-]+\s+){0,2}(?:settlements?|villages|towns|cities|houses|homes|"
                    r"buildings|apartments|projects|programs|programmes|plants|factories|"
                    r"vehicles|cars|trucks|buses|boats|ships|vessels|planes|aircraft|"
                    r"helicopters|tanks|weapons|guns|rifles|bombs|mines|schools|hospitals|"
                    r"churches|mosques|shops|stores|businesses|offices|bridges|roads|farms|"
                    r"bills|laws|cells|camps|sites|districts|provinces|states|countries|loads|busloads|"
                    r"truckloads|carloads|boatloads|"
                    # (tenth session) bodies of people are not people either ("two agencies
                    # charged with protecting wetlands")
                    r"agencies|committees|panels|commissions|departments|ministries|companies|"
                    r"firms|banks|organi[sz]ations|"
                    # (eleventh session: "4,148 containers on board")
                    r"containers|crates|barrels|parcels|packages)\b", re.I)
# Where a split names the part: "all 109 people aboard and four on the ground"
LOCAL_SCOPE = re.compile(r"(?:\s+(?:people|persons|others|passengers))?\s+(?P<place>aboard|on\s+board|"
                         r"on\s+the\s+(?:ground|airplane|plane|flight|ship|train|bus)|"
                         # (the guideline's fixed form: "in the plane" is aboard)
                         r"in\s+the\s+(?:airplane|plane|aircraft|jet))\b", re.I)
# "Four people on the ground and all 109 in the plane were killed": a split, the first part
# named by where they were, sharing the second part's verb
ABOARD_WORDS = r"(?:aboard|on\s+board|on\s+the\s+ground|in\s+the\s+(?:plane|airplane|aircraft|jet))"
LOCAL_FIRST = re.compile(rf"(?:\s+(?:people|persons|others|passengers))?\s+{ABOARD_WORDS}\s+and\s+"
                         rf"(?:all\s+)?(?:{COUNT})(?:\s+(?:people|persons|others|passengers|crew))?"
                         rf"(?:\s+{ABOARD_WORDS})?", re.I)
# Subject words that are also the scope the guideline asks for ("17 people in intensive care").
SCOPE_WORDS = {"in intensive care": "intensive care", "aboard": "aboard", "on board": "aboard",
               "on the flight": "aboard", "on the plane": "aboard",
               **{f"in {a}{state} condition": f"{state} condition"
                  for a in ("", "a ") for state in ("critical", "serious", "stable")}}
# Verbs before the count ("killing 60 people").
BEFORE: dict[str, str] = {
    "killing": "killed", "killed": "killed", "kills": "killed", "kill": "killed",
    "injure": "injured", "wound": "injured", "arrest": "arrested", "detain": "arrested",
    "evacuate": "displaced", "rescue": "other:rescued",
    "claimed the lives of": "killed", "took the lives of": "killed", "the deaths of": "killed",
    "the death of": "killed",
    "injuring": "injured", "injured": "injured", "injures": "injured", "wounding": "injured",
    "wounded": "injured", "wounds": "injured", "hurting": "injured",
    "arrested": "arrested", "arresting": "arrested", "arrests": "arrested",
    "detained": "arrested", "detaining": "arrested", "detains": "arrested",
    "rounded up": "arrested", "the arrest of": "arrested", "the arrests of": "arrested",
    "evacuated": "displaced", "evacuating": "displaced", "displaced": "displaced",
    "displacing": "displaced", "rescued": "other:rescued", "rescuing": "other:rescued",
    "kidnapped": "other:hostages", "kidnapping": "other:hostages", "abducted": "other:hostages",
    "abducting": "other:hostages", "seized": "arrested", "freed": "other:released",
    "released": "other:released", "releasing": "other:released", "freeing": "other:released",
    "sentenced": "other:sentenced", "executed": "killed", "executing": "killed",
    "sickened": "other:sick", "sickening": "other:sick", "infected": "other:sick",
    "infecting": "other:sick", "hospitalized": "injured",
    "shot dead": "killed", "shot and killed": "killed", "gunned down": "killed",
    "massacred": "killed", "slaughtered": "killed", "murdered": "killed",
    "holding": "arrested", "apprehended": "arrested", "jailed": "arrested",
    "took": "other:hostages", "taking": "other:hostages",
    "sent": "injured", "sending": "injured", "hospitalizing": "injured",
    "slaughtering": "killed", "murdering": "killed", "massacring": "killed",
    "the killing of": "killed", "the killings of": "killed", "killing of": "killed",
    "the murder of": "killed", "the murders of": "killed", "the execution of": "killed",
    "the kidnapping of": "other:hostages", "the abduction of": "other:hostages",
    "the detention of": "arrested", "the evacuation of": "displaced",
    "the rescue of": "other:rescued", "the release of": "other:released",
    "jailing of": "arrested", "saved": "other:rescued", "saving": "other:rescued",
    "treated": "injured", "treating": "injured", "carrying": "other:aboard",
    # (tenth session) a headline's present tense ("Floods displace 100,000"), the new subjects
    "displace": "displaced", "displaces": "displaced", "evacuates": "displaced",
    "rescues": "other:rescued", "frees": "other:released", "releases": "other:released",
    "hurt": "injured", "hurts": "injured",
    # (eleventh session) "causing minor injuries to 13 people"
    "injuries to": "injured", "injury to": "injured",
    "captured": "arrested", "capturing": "arrested", "convicted": "other:sentenced",
    "seizes": "arrested", "seize": "arrested", "seizing": "arrested",
    "free": "other:released", "release": "other:released",
    "convicting": "other:sentenced", "forced": "displaced", "forcing": "displaced",
    "pulled": "other:rescued",
    # (not "affects": the present tense states a prevalence, "affects 16 million Americans")
    "affected": "other:affected", "affecting": "other:affected",
    "charged": "other:charged", "charging": "other:charged", "indicted": "other:charged",
    "indicting": "other:charged",
}
# A toll's members are its parts: "The dead included four children", "Among the injured were
# 12 police officers" (the count's group is their scope).
MEMBER_NOUNS = {"the dead": "killed", "the victims": "killed", "those killed": "killed",
                "the injured": "injured", "the wounded": "injured", "those injured": "injured",
                "the casualties": "other:casualties", "those arrested": "arrested",
                "the missing": "missing"}
BEFORE |= {f"{noun} {verb}": subject for noun, subject in MEMBER_NOUNS.items()
           for verb in ("included", "include", "includes")}
BEFORE |= {f"among {noun} {verb}": subject for noun, subject in MEMBER_NOUNS.items()
           for verb in ("were", "are")}
# "charged with maintaining public order": a duty, not an accusation
CHARGED_WITH_DUTY = re.compile(r"\s+(?:\w+\s+)?with\s+(?:protecting|maintaining|overseeing|"
                               r"investigating|enforcing|running|managing|monitoring|ensuring|"
                               r"regulating|supervising|coordinating|handling|implementing|drafting|"
                               r"reviewing|leading|preparing|guarding|keeping|providing|"
                               r"administering\s+the|carrying\s+out)\b", re.I)
# who is "affected": people, not companies or flights
AFFECTED_PEOPLE = (r"(?:people|persons|residents|families|households|villagers|inhabitants|"
                   r"citizens|farmers|children|victims|survivors)")
# "took 20 people hostage", "sent 12 to hospital": these verbs count someone only with these after
NEEDS_AFTER = {
    "holding": re.compile(r"(?:\s+\S+){0,3}?\s+(?:in\s+(?:police\s+)?custody|for\s+questioning|"
                          r"in\s+connection\s+with)\b", re.I),
    "took": re.compile(r"(?:\s+\S+){0,3}?\s+(?:hostage|captive|prisoner)\b", re.I),
    "taking": re.compile(r"(?:\s+\S+){0,3}?\s+(?:hostage|captive|prisoner)\b", re.I),
    "sent": re.compile(r"(?:\s+\S+){0,3}?\s+to\s+(?:the\s+)?hospitals?\b", re.I),
    "sending": re.compile(r"(?:\s+\S+){0,3}?\s+to\s+(?:the\s+)?hospitals?\b", re.I),
    # "saved 40 passengers", but not "saved millions of lives" (what a drug or a man did)
    # (nor "saved three break points": a match's, eleventh session)
    **dict.fromkeys(("saved", "saving"), re.compile(
        r"(?!(?:\s+[^\s.;]+){0,4}?\s+(?:lives|points?|goals?|shots?|penalt(?:y|ies)|games?|"
        r"sets?|chances?|jobs?)\b)")),
    # "treated 87 people for injuries", "a ferry carrying 300 passengers"
    "treated": re.compile(r"(?:\s+\S+){0,3}?\s+for\s+(?:\w+\s+)?(?:injuries|wounds|burns|"
                          r"smoke\s+inhalation|cuts|fractures|shock)\b", re.I),
    "treating": re.compile(r"(?:\s+\S+){0,3}?\s+for\s+(?:\w+\s+)?(?:injuries|wounds|burns|"
                           r"smoke\s+inhalation|cuts|fractures|shock)\b", re.I),
    # (tenth session) "charged 12 people with murder", not "charged 20 customers a fee";
    # "affected 200,000 people", not "affected 30 companies"
    **dict.fromkeys(("charged", "charging", "indicted", "indicting"), re.compile(
        r"(?:\s+[^\s.;,]+){0,3}?\s+(?:with|in|over|for|on)\b", re.I)),
    **dict.fromkeys(("affected", "affecting"), re.compile(
        rf"(?:\s+[a-z-]+)?\s+{AFFECTED_PEOPLE}\b", re.I)),
    # (eleventh session) "captured 15 sailors", not "captured two gold medals"; "forced 20,000
    # people to flee"; "pulled 14 survivors from the rubble"
    **dict.fromkeys(("captured", "capturing", "seizes", "seize", "seizing"), re.compile(
        r"(?:\s+[A-Za-z-]+){0,2}?\s+(?:soldiers|troops|sailors|marines|militants|rebels|fighters|"
        r"insurgents|guerrillas|people|civilians|suspects|men|women|prisoners|crew|members|"
        r"personnel|policemen|officers|police|pilots|commanders|servicemen|pirates|gunmen|"
        r"attackers|hijackers|smugglers|migrants|fishermen|tourists|foreigners|nationals|"
        r"citizens)\b", re.I)),
    **dict.fromkeys(("forced", "forcing"), re.compile(
        r"(?:\s+\S+){0,3}?\s+(?:to\s+(?:flee|evacuate|leave\s+their\s+homes)|from\s+their\s+homes|"
        r"out\s+of\s+their\s+homes)\b", re.I)),
    "pulled": re.compile(r"(?:\s+\S+){0,2}?\s+(?:survivors|alive)\b", re.I),
    # "convicted two officers", not "convicted 14 counts of fraud"
    **dict.fromkeys(("convicted", "convicting"), re.compile(
        r"(?!(?:\s+\S+){0,2}?\s+(?:counts?|charges?|offen[cs]es|crimes)\b)", re.I)),
    "carrying": re.compile(r"(?:\s+[a-z-]+)?\s+(?:passengers|people|persons|pilgrims|migrants|"
                           r"refugees|tourists|crew|sailors|soldiers|troops|students|children)\b",
                           re.I),
}
# The verbs of BEFORE in their base form: after "to" or a modal they say what is meant, not done
BASE_FORMS = {"free", "release", "evacuate", "rescue", "kill", "injure", "wound", "arrest",
              "detain", "displace", "seize", "capture"}
# "claimed 56 lives", "took 10 lives", "cost 300 lives"
LIVES_BEFORE = re.compile(r"\b(?:claim(?:ed|s|ing)?|t(?:ook|akes|aking|aken)|cost(?:s|ing)?|"
                          r"los(?:t|es|e|ing))"
                          r"(?:\s+(?:the|a\s+total\s+of|another))?\s*$", re.I)
LIVES_AFTER = re.compile(r"(?:\s+(?:more|other|human|[A-Z][\w'’-]*))?\s+lives\b", re.I)
# "the bodies of four", "the severed heads of four": stronger than any verb after the count.
# (not "a sword over the heads of millions": an idiom, eleventh session)
NOUN_OF = re.compile(r"\b(?:bodies|(?<!over\sthe\s)(?:severed\s+)?heads|remains|deaths|corpses)"
                     r"\s+of\s*$", re.I)
# The noun of a toll ("the death toll rose to 158", "the number of injured stood at 40").
TOLLS: dict[str, str] = {
    "death toll": "killed", "toll": "killed", "number of dead": "killed",
    "number of deaths": "killed", "number of people killed": "killed",
    "number of victims": "killed", "number of injured": "injured",
    "number of wounded": "injured", "number of missing": "missing",
    "number of people missing": "missing", "number of homeless": "displaced",
    "number of evacuees": "displaced", "number of arrests": "arrested",
    "death count": "killed", "number of fatalities": "killed", "number of confirmed deaths":
    "killed", "number of confirmed dead": "killed", "number of people dead": "killed",
    "number of those killed": "killed", "number of people injured": "injured",
    "number of people wounded": "injured", "number of people arrested": "arrested",
    "number of detainees": "arrested", "number of people evacuated": "displaced",
    "number of displaced": "displaced", "number of people displaced": "displaced",
    "number of people confirmed dead": "killed", "number of people confirmed killed": "killed",
    "number of cases": "other:sick", "number of confirmed cases": "other:sick",
    "number of infections": "other:sick", "number of people infected": "other:sick",
    "number of refugees": "displaced", "number of hostages": "other:hostages",
    "death tally": "killed", "number of those injured": "injured",
    "number of those wounded": "injured", "number of those arrested": "arrested",
    "number of those detained": "arrested", "number of those missing": "missing",
}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(w.replace(" ", r"\s+") for w in sorted(words, key=len, reverse=True))


AUX = (r"(?:were|was|have|has|had|are|is|be|been|being|reported\s+as|reported(?:ly)?|allegedly|"
       r"so\s+far|thus\s+far|in\s+all|also|still|later|now|"
       r"probably|presumably|possibly|likely|apparently|already|all|seriously|critically|"
       r"badly|slightly|severely|gravely|fatally|mortally|"
       r"believed|feared|confirmed|known|presumed|listed|remain(?:ed|s)?|to|left|found|all|"
       r"of\s+them|people|persons)")
# ("before", "because", "until" and a pronoun start a clause of their own: "mauling three
# visitors before it was shot to death" is not three shot, eleventh session)
STOP = (r"(?:and|or|but|in|on|at|from|to|after|before|because|until|it|he|she|"
        r"when|as|while|who|that|which|than|by|for|with|"
        r"the|a|an|said|says|say|according)")
# (the group may name police or officials as the victims: "Four police officers were killed")
# (a group may be "people sustained": "Twelve people sustained injuries")
AUX_GROUP = AUX.replace("|people|persons", "")
# "144 people dead", "360 others wounded", "21 Israelis", "three soldiers were killed"
AFTER_RE = re.compile(
    rf"(?P<group>(?:\s+(?!{AUX_GROUP}\b|{STOP}\b|{WORD_NUM}\b|(?:{_alternation(AFTER)})\b)"
    rf"[A-Za-z][\w'’.-]*){{0,4}}?)"
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
    rf"(?:\s+(?:{AUX}|who|that|[a-z]+ly))*\s+(?P<verb>{_alternation(AFTER)})\b(?![-‐])", re.I)
# "Seven of those 77 people died": the first count is the claim, the rest its scope.
PART_OF = re.compile(
    rf"\s+of\s+(?P<scope>(?:the|those|these|them)(?:\s+(?:{COUNT}))?(?:\s+[a-z][\w'-]*){{0,2}}?)"
    # ("Three of the 12 people in the car were injured": where the whole was)
    rf"(?:\s+(?:in|at|on|inside)\s+(?:the|a|an|their)\s+[\w'’-]+)?"
    rf"(?:\s+{AUX})*\s+(?P<verb>{_alternation(AFTER)})\b", re.I)
BEFORE_RE = re.compile(
    rf"\b(?P<verb>{_alternation(BEFORE)})"
    # "killed the pilot and 11 passengers", "killed a teacher and 12 classmates": a split
    r"(?P<first>\s+(?:the|an?|his|her|their|its)\s+[a-z]+\s+and"
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
    r"(?i:\banniversary\b|\blast\s+(?:year|summer|spring|fall|autumn|winter)\b|"
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
            "from their homes", "rescu", "abduct", "kidnap", "hostage", "drown", "perish", "slain",
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


def _may_hold_figure(text: str) -> bool:
    """A number and a casualty word: the cheap test every paragraph and sentence takes first
    (a digit, or a number word among the words; then the casualty words, as substrings)."""
    low = text.lower()
    if not DIGIT.search(text) and NUMBER_WORDS.isdisjoint(low.translate(PUNCTUATION).split()):
        return False
    return any(t in low for t in TRIGGERS)


@dataclass(frozen=True)
class _Found:
    """What a count is about, as read around it."""

    subject: str
    group: str | None  # the noun the count is split by ("soldiers"), if any
    end: int  # where the subject words end (scope is looked for after)
    how: str  # which reading found it: "noun_of", "toll", "before", "after", "part_of",
    # "part_state"
    split: bool = False  # the sentence splits the subject by group ("three Britons and a ...")


# (tenth session) "Of the dead, 14 were children": a toll's part named after it
OF_MEMBERS = re.compile(rf"\b[Oo]f\s+(?P<noun>{'|'.join(MEMBER_NOUNS)})\s*,\s*$")
NOT_MEMBER = {"in", "at", "on", "still", "being", "taken", "treated", "said", "reported", "later",
              "also", "from", "killed", "dead", "injured", "wounded", "hurt", "among"}
# "The arrests Tuesday bring the total since the protest began to about 350", "15 new deaths,
# bringing the total to 230": a total whose subject is the casualty noun before it
TOTAL = re.compile(rf"\b(?:{BRING}|put)\s+(?:the|its)\s+(?:overall\s+|"
                   r"official\s+)?total(?P<mid>(?:\s+[^\s.;]+){0,8}?)\s+to\s*$", re.I)
TOTAL_NOUN = re.compile(r"\b(?P<noun>deaths?|dead|died|killed|fatalities|arrests|arrested|detained|"
                        r"detentions|injur\w*|wounded|evacuat\w*|cases|infections|missing)\b",
                        re.I)
TOTAL_SUBJECTS = {"death": "killed", "deaths": "killed", "dead": "killed", "died": "killed",
                  "killed": "killed", "fatalities": "killed", "arrests": "arrested",
                  "arrested": "arrested", "detained": "arrested", "detentions": "arrested",
                  "wounded": "injured", "cases": "other:sick", "infections": "other:sick",
                  "missing": "missing"}


# (twelfth session) "a woman who died in a fire along with her five children": a named victim and
# a count who died with her (a split, as "killed the pilot and 11 passengers")
ALONG_WITH = re.compile(r"\b(?:died|perished|(?:was|were)\s+(?:killed|shot\s+dead|burned\s+to\s+"
                        r"death))\b[^.;]{0,50}?\balong\s+with\s+(?:(?:his|her|their)\s+)?$", re.I)
NOT_NOUN = r"(?!(?:was|has|is|as|his|this|thus|its)\b)"
ALONG_GROUP = re.compile(rf"\s+((?:{NOT_NOUN}[a-z][\w'’-]*\s+)?{NOT_NOUN}(?:[a-z][\w'’-]*(?:s|men)|"
                         r"children|people))\b")
# (twelfth session) "The eight dead Tuesday included three Hamas and three Fatah supporters": the
# toll's noun with its count (and a word of time) before "included", its parts after
TOLL_INCLUDED = re.compile(rf"\b(?:the|those)\s+(?:(?:{COUNT})\s+)?(?:people\s+)?"
                           r"(?P<noun>dead|victims|injured|wounded|casualties)\b"
                           r"(?:\s+(?!and\b|or\b)[A-Za-z]+){0,2}\s+includ(?:ed|es|e)\s*$", re.I)


# (twelfth session) "Sixteen of the dozens of people hurt in the massacre remained hospitalized",
# "Five of the 40 injured are in critical condition": the whole has its own count and subject,
# the part is said by the state it is in
CONDITION_AFTER = re.compile(
    r"[^.;]{0,80}?\b(?:remain(?:s|ed)?|were|are|was|is)\s+(?:still\s+)?(?:in\s+(?:the\s+)?)?"
    r"(?P<place>hospitali[sz]ed|hospital|(?:critical|serious|stable|grave)\s+condition|"
    r"intensive\s+care)\b", re.I)


def _member_named(sentence: str, at: int) -> re.Match[str] | None:
    """The group a part of a toll is said to be: "(Of the dead, 14) were children"."""
    said = re.match(r"\s+(?:were|are)\b", sentence[at:])
    member = MEMBERS.match(sentence, at + said.end()) if said else None
    return member if member and member.group(1).split()[0].lower() not in NOT_MEMBER else None


def _total(sentence: str, m: re.Match[str], left: str) -> _Found | None:
    """A total brought to the count, of the casualty noun before it (its own words a period)."""
    total = TOTAL.search(left)
    if not total:
        return None
    nouns = list(TOTAL_NOUN.finditer(sentence, 0, m.start() - len(left) + total.start()))
    if not nouns:
        return None
    noun = nouns[-1].group("noun").lower()
    subject = TOTAL_SUBJECTS.get(noun) or ("injured" if noun.startswith("injur") else
                                           "displaced")
    since = re.search(r"\bsince\s+[^.;]+", total.group("mid"))
    return _Found(subject, since.group(0).strip() if since else None, m.end(), "toll")


IN_PLACE = re.compile(rf"\b(?:in|at)\s+{PLACE}")
# (tenth session) a toll said to come, not reached: "could rise above 500", "is expected to reach"
PROJECTED = re.compile(r"\b(?:(?:could|may|might|would|will)(?:\s+(?:still|well|soon|eventually))?|"
                       r"(?:expected|likely|feared|set|predicted|projected)\s+to)\s+(?:rise|climb|"
                       r"reach|top|exceed|increase|grow|go|pass|surpass|hit|double|mount)\b", re.I)
# "the town's death toll": the place the sentence named before it, else the anaphor as written
TOWN_TOLL = re.compile(r"\b(?P<town>the\s+(?:town|city|village|province|region|district|island|"
                       r"state|county|country))['’]s\s+(?:death\s+)?$", re.I)


def _subject(sentence: str, m: re.Match[str]) -> _Found | None:
    """The subject of the count at m, if it counts anyone, with its group and where it ends."""
    left = sentence[max(0, m.start() - 90):m.start()]
    near = left[-45:]  # (end-anchored searches scan their whole text: keep it short)
    if NOUN_OF.search(near):
        return _Found("killed", None, m.end(), "noun_of")
    if "live" in sentence[m.end():m.end() + 30].lower() and LIVES_BEFORE.search(near):
        lives = LIVES_AFTER.match(sentence, m.end())
        if lives:
            return _Found("killed", None, lives.end(), "before")
    low = left.lower()
    toll = None
    if "toll" in low or "number of" in low or "death count" in low or "tally" in low:
        toll = TOLL_RE.search(left) or (TOLL_Q_RE.search(left) if m.group("q") else None)
    if toll and re.search(r"\b(?:including|among\s+them)\s*$", left):
        toll = None  # "the toll stood at 34, including at least 10 civilians": a part, see _ellipsis
    if toll and PROJECTED.search(toll.group("mid")):
        return None  # "the toll could rise above 500": a projection, not a count
    if toll:
        mid = re.search(r"\b(?:in|across)\s+((?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)",
                        toll.group("mid"))
        owner = re.search(r"\b([A-Z][\w.-]+(?:\s+[A-Z][\w.-]+)*)(?:['’]s)?\s+(?:death\s+)?$",
                          left[:toll.start()])
        town = TOWN_TOLL.search(left, 0, toll.start()) if not mid else None
        if town:  # "bodies were recovered in Fonds Bleus, ..., bringing the town's death toll"
            places = list(IN_PLACE.finditer(sentence, 0, m.start() - len(left) + town.start()))
            return _Found(TOLLS[" ".join(toll.group("toll").lower().split())],
                          places[-1].group("place") if places else town.group("town").lower(),
                          m.end(), "toll")
        where = mid.group(1) if mid else owner.group(1) if owner and \
            owner.group(1).lower() not in NOT_PLACES and \
            owner.group(1).split()[-1].lower() not in EVENT_KINDS else None
        # ("Earthquake death toll rises to 1,500": the event, not a place, owns the toll)
        return _Found(TOLLS[" ".join(toll.group("toll").lower().split())], where, m.end(), "toll")
    if "total" in low:
        total = _total(sentence, m, left)
        if total:
            return total
    along = ALONG_WITH.search(left) if "along with" in near else None
    if along:
        member = ALONG_GROUP.match(sentence, m.end())
        group = member.group(1) if member and \
            member.group(1).lower().split()[0] not in PLAIN_GROUPS else None
        return _Found("killed", group, member.end() if member else m.end(), "before",
                      split=group is not None)
    counted = TOLL_INCLUDED.search(near) if "includ" in near else None
    if counted:
        member = MEMBERS.match(sentence, m.end())
        if member and member.group(1).lower().split()[0] not in PLAIN_GROUPS:
            return _Found(MEMBER_NOUNS[f"the {counted.group('noun').lower()}"], member.group(1),
                          member.end(), "before", split=True)
    members = OF_MEMBERS.search(near) if "of" in low else None
    if members and not AFTER_RE.match(sentence, m.end()):
        # (with a verb of its own the count reads as usual: "Of the injured, 57 were in
        # intensive care", "Of those killed, 11 were killed in Tanzania")
        member = _member_named(sentence, m.end())
        return _Found(MEMBER_NOUNS[members.group("noun").lower()],
                      member.group(1) if member else None, member.end() if member else m.end(),
                      "before", split=member is not None)
    part = PART_OF.match(sentence, m.end())
    if part and part.group("verb").lower().startswith("death") and re.match(
            r"\s+(?:row|penalty|claims?|cases?|lawsuits?|suits?)\b", sentence[part.end():], re.I):
        return None  # "Eight of the wrongful death cases": cases, not deaths
    if part:
        noun = " ".join(part.group("verb").lower().split())
        verb_before = BEFORE_RE.search(near) if noun in NOUN_SUBJECTS else None
        if verb_before and " ".join(verb_before.group("verb").lower().split()) in NEEDS_AFTER:
            verb_before = None
        # "released four of the hostages": what the verb before says of the part
        subject = BEFORE[" ".join(verb_before.group("verb").lower().split())] if verb_before \
            else AFTER[noun]
        scope = " ".join(part.group("scope").split())
        member = _member_named(sentence, part.end()) \
            if scope.lower() in ("the", "those", "these", "them") else None
        if member:  # "Two of those killed were police officers": the part's group
            return _Found(subject, member.group(1), member.end(), "part_of", split=True)
        still = CONDITION_AFTER.match(sentence, part.end()) if subject == "injured" and \
            re.search(rf"\b(?:{COUNT}|{VAGUE_RE})\b", scope, re.I) else None
        if still:  # (the whole is a count of its own, read next: no "part_of")
            where = " ".join(still.group("place").split())
            return _Found(subject, where, still.end(), "part_state", split=True)
        return _Found(subject, scope, part.end(), "part_of")
    if re.match(rf"\s+of\s+(?:the\s+|those\s+)?(?:{COUNT})\b", sentence[m.end():], re.I):
        return None  # "two of three defendants": a share, the whole is counted elsewhere
    if ANIMALS.match(sentence, m.end()) or THINGS.match(sentence, m.end()):
        return None
    if re.match(r"\s+of\s+(?:[A-Z]\w+\s+)?hostages\b", sentence[m.end():]):
        return _Found("other:hostages", None, m.end(), "after")
    pair = LOCAL_FIRST.match(sentence, m.end())
    if pair:
        then = AFTER_RE.match(sentence, pair.end())
        if then and not then.group("group").strip():
            return _Found(AFTER[" ".join(then.group("verb").lower().split())], None, m.end(),
                          "after")
    after = AFTER_RE.match(sentence, m.end())
    before = BEFORE_RE.search(near)
    # (twelfth session) "arrested and indicted two executives": one span, one label, the first
    # verb's (the guideline's "injured and arrested" is injured)
    lead = COORD_BEFORE.search(near, 0, before.start()) \
        if before and near[:before.start()].endswith(" and ") else None
    if lead and before and BEFORE[" ".join(before.group("verb").lower().split())] == "killed":
        lead = None  # ("kidnapped and killed three aid workers": a death is what befell them)
    # ("killed and wounded dozens": the guideline's killed and injured as one figure)
    both = lead is not None and before is not None and BEFORE[" ".join(
        lead.group("verb").lower().split())] == "killed" and BEFORE[" ".join(
        before.group("verb").lower().split())] == "injured"
    if before:
        needs = NEEDS_AFTER.get(" ".join((lead or before).group("verb").lower().split()))
        if needs and not needs.match(sentence, m.end()):
            before = None  # "holding three meetings", "took 20 minutes"
        elif before.group("verb").lower() in BASE_FORMS and re.search(
                # (nor "call toll-free 888-..."; "its bid to reach and rescue the 118 sailors";
                # but "forced authorities to evacuate 5,000" is done)
                r"\b(?:to|will|would|could|may|might|should|must|can|not|n't)\s+"
                r"(?:[a-z]+\s+and\s+)?$|[-‐]$", near[:before.start()], re.I) and not re.search(
                r"\b(?:forc|order|prompt|began|begun|start|had|have|has)\w*\s+(?:\S+\s+){0,2}?to\s+$",
                near[:before.start()], re.I):
            before = None  # "a mission to free three hostages", "efforts to evacuate the 118":
            # not done (a headline's present tense is: "Rebels free 9 soldiers")
    if after and " ".join(after.group("verb").lower().split()) in CHAIN_AFTER:
        then = AFTER_RE.match(sentence, after.end())
        if then and not then.group("group").strip():
            after = then  # "12 victims were injured": the verb says what they are
        elif after.group("verb").lower() == "victims" and re.search(r"\b[a-z]",
                                                                     after.group("group")):
            return None  # "kidnap victims", "flood victims": of what, the noun before says
    if after and " ".join(after.group("verb").lower().split()) in PARTICIPLES and \
            not PASSIVE.search(after.group(0)):
        # "two youths trapped in a fire died", "two supporters taken into custody ... were
        # released": the participle tells who they are, the verb after it what befell them
        fate = FATE_AFTER.match(sentence, after.end())
        if fate:
            verb = " ".join(fate.group("verb").lower().split()).split()[-1]
            trapped = after.group("verb").lower() == "trapped"  # (set free is rescued)
            return _Found("other:rescued" if trapped and verb == "freed" else FATES[verb], None,
                          fate.end(), "after")
    if after and after.group("verb").lower() == "victims" and VICTIMS_OF.match(sentence,
                                                                                after.end()):
        return None  # "1,000 victims of human rights abuses": victims of no killing
    if after and after.group("verb").lower() in NOUN_SUBJECTS and re.search(
            r"[a-z]ed\b", after.group("group")):
        after = None  # "Hundreds of officers outnumbered protesters": the noun is not theirs
    if after and after.group("verb").lower().endswith("cases") and (
            not DISEASE.search(sentence) or UNCONFIRMED.search(sentence, after.end())):
        after = None  # "two cases of fraud"; "170 cases remain under investigation"
    if after and after.group("verb").lower().startswith("struck down") and \
            not DISEASE.search(sentence, after.end()):
        after = None  # "struck down by a car", not by a virus
    if after:
        verb = " ".join(after.group("verb").lower().split())
        raw_group = " ".join(after.group("group").split())
        if before and verb != "trapped" and (
                raw_group.lower() not in ("", "people", "persons", "others") or verb in WEAK_AFTER):
            after = None  # "releasing 11 others they abducted", "killing all 229 people aboard"
    if after and after.group("verb").lower() == "fled" and re.match(
            r"\s+(?:from\s+)?the\s+(?:scene|theat(?:er|re)|cinema|building|room|hall|stadium|venue|"
            r"restaurant|store|shop|mall|school|house|car|bus|train|plane|area)\b",
            sentence[after.end():], re.I):
        after = None  # "50 people fled the theater": a place left, not a home (eleventh session)
    if after and after.group("verb").lower() == "strikers" and not re.search(
            r"\bstrik(?:e|es|ing)\b|walk-?outs?\b|picket|\bunions?\b", sentence, re.I):
        after = None  # "three main strikers are unavailable": a team's forwards
    if after and after.group("verb").lower() in ("gathered", "assembled") and \
            not GATHERED_FOR.match(sentence, after.end()):
        after = None  # "Hundreds of mourners gathered at the church"
    if after and AFTER[" ".join(after.group("verb").lower().split())] == "other:affected" and \
            not re.fullmatch(rf"(?:\s+(?:{AFFECTED_PEOPLE}|{AUX}|who|that))*", after.group("group"),
                             re.I):
        return None  # "30 companies were affected", "12 flights affected"
    if after and AFTER[" ".join(after.group("verb").lower().split())] == "other:charged" and (
            re.search(r"\bone\s+of\s*$", near, re.I) or CHARGED_WITH_DUTY.match(sentence,
                                                                                after.end())):
        return None  # "one of four suspects charged with the murder": who the one is; "police
        # charged with maintaining order": a duty, not an accusation
    if after and before and BEFORE[" ".join(before.group("verb").lower().split())] == \
            "other:released" and after.group("verb").lower() in NOUN_SUBJECTS:
        after = None  # "freed 23 hostages": what the verb before says of them
    if after and _agent(sentence, after):
        return None  # "Two gunmen killed three people": the count did the killing
    if after and re.search(r"\b(?:could|may|might|would|will)\b", after.group(0), re.I):
        return None  # "predicted as many as 40,000 could have died": a projection, not a count
    if after and after.group("verb").lower() == "death" and re.match(
            r"\s+(?:row|penalty|penalties|sentences?|threats?|squads?|toll|claims?|lawsuits?|suits?|"
            r"certificates?|benefits?|inquests?|investigations?)\b", sentence[after.end():], re.I):
        return None  # "two death row inmates"
    if after:
        words = raw_group.split()
        while words and words[-1].lower() in PLAIN_GROUPS:
            words.pop()
        while words and words[0].lower() in PLAIN_GROUPS:
            words.pop(0)
        group = " ".join(words) or None
        if words and EVENT_NOUN.fullmatch(words[-1]):
            return None  # "three bomb blasts that killed 300": a count of events, not of people
        if AFTER[verb] == "arrested" and POPULATION.search(raw_group):
            return None  # "163,190 state inmates are in custody": a prison population
        if verb in SCOPE_WORDS:
            group = SCOPE_WORDS[verb]
            # "All 109 people aboard were killed", "All 217 people aboard the plane were killed"
            skip = re.match(r"\s+the\s+[a-z]+", sentence[after.end():])
            then = AFTER_RE.match(sentence, after.end() + (skip.end() if skip else 0))
            # ("Jet with 228 aboard missing": who was on the jet, what befell the jet)
            if then and len(then.group("group").split()) <= 3 and \
                    not re.search(r"\bwith\s*$", near):
                return _Found(AFTER[" ".join(then.group("verb").lower().split())], group,
                              then.end(), "after", split=True)
            # ("All 229 passengers and crew aboard Flight 111 from New York to Geneva were
            # killed": the flight named between, eleventh session)
            fate = FATE_AFTER.match(sentence, after.end()) if not re.search(
                r"\bwith\s*$", near) else None
            if fate and not re.search(r"\b(?:who|which|that|but|and|when)\b",
                                      sentence[after.end():fate.start("verb")]):
                verb = " ".join(fate.group("verb").lower().split()).split()[-1]
                return _Found(FATES[verb], group, fate.end(), "after", split=True)
        # "236 Kenyans and 12 Americans were killed": the second count splits the toll too
        coordinated = bool(group) and re.search(
            rf"\b(?:{COUNT})\s+[A-Za-z][\w'’-]+\s+and\s*$", left[-40:], re.I) is not None
        coord = after.group("coord") or ""
        number = re.match(r"\s+and\s+\S+", coord)
        if number and (ANIMALS.match(coord, number.end()) or THINGS.match(coord, number.end())):
            coord = ""  # "2,000 villagers and 7,500 animals": no split of the people
        # ("Five Britons are among the dead": a part of the toll, its group the scope)
        return _Found(AFTER[verb], group, after.end(), "after",
                      split=bool(coord) or coordinated or verb in SCOPE_WORDS
                      or verb.startswith("among "))
    if before:
        # "abducted three Britons and a New Zealand citizen": split by group
        # (also "four suspects, all of them citizens of Tajikistan, and seven other accomplices")
        split = re.match(rf"\s+([A-Za-z][\w'’-]+)(?:\s*,[^.;,]*(?:,[^.;,]*)?,)?\s+and\s+"
                         rf"(?:an?|{WORD_NUM}|\d+)\s", sentence[m.end():], re.I)
        # (not a preposition: "killed 250 in Guatemala" leaves its place to the scope)
        group_m = re.match(r"\s+(?!(?:in|at|on|across|throughout|near|inside)\b)([A-Za-z][\w'’-]+)",
                           sentence[m.end():])
        is_split = bool(split and split.group(1).lower() not in PLAIN_GROUPS)
        verb = " ".join((lead or before).group("verb").lower().split())
        members = MEMBERS.match(sentence, m.end())
        if (before.group("first") or "includ" in verb or verb.startswith("among ")) and \
                members and members.group(1).lower().split()[0] not in PLAIN_GROUPS:
            # a part of the toll: "killed the pilot and 11 passengers", "The dead included
            # four children"
            return _Found("other:casualties" if both else BEFORE[verb], members.group(1),
                          members.end(), "before", split=True)
        return _Found("other:casualties" if both else BEFORE[verb],
                      split.group(1) if split and is_split else None,
                      m.end() + (group_m.end() if group_m else 0), "before", split=is_split)
    return None


# (tenth session) what befell people a participle locates ("three miners trapped by the flood
# were rescued"), and victims of harm that kills no one
FATE_AFTER = re.compile(r"[^.;,]{0,100}?\s+(?P<verb>died|(?:were|have\s+been)\s+(?:later\s+)?"
                        r"(?:killed|rescued|freed|released|pulled\s+out\s+alive))\b", re.I)
FATES = {"died": "killed", "killed": "killed", "rescued": "other:rescued", "alive": "other:rescued",
         "freed": "other:released", "released": "other:released"}
PARTICIPLES = {"trapped", "taken into custody", "taken into police custody", "detained",
               "arrested", "kidnapped", "abducted", "taken hostage", "held hostage", "injured",
               "wounded", "hurt", "hospitalized", "hospitalised"}
VICTIMS_OF = re.compile(r"\s+of\s+(?:\w+\s+){0,3}?(?:abuses?|torture|rape|fraud|scams?|"
                        r"trafficking|harassment|persecution|repression|discrimination|racism|"
                        r"bullying|assaults?|theft|burglar(?:y|ies)|identity\s+theft)\b", re.I)


# Verbs that take the victims as their object when active ("two gunmen killed three people")
AGENT_VERBS = {"killed", "shot", "wounded", "injured", "hurt", "murdered", "arrested", "detained",
               "kidnapped", "abducted", "evacuated", "rescued", "executed", "massacred", "seized",
               "captured", "stabbed", "slaughtered", "slew", "kills", "kill", "injure", "injures",
               "shot and killed", "shot and wounded"}
PASSIVE = re.compile(r"\b(?:were|was|are|is|been|being|be)\b", re.I)
# What starts the object of such a verb: a count, an article, a possessive, a quantifier
# (not a time: "the 13 killed the day before", "12 killed last week")
OBJECT_START = re.compile(rf"\s+(?!the\s+(?:day|night|week|month|year|weekend|morning|evening|"
                          rf"afternoon|previous|following|next|same|past|last)\b)"
                          rf"(?:an?|the|his|her|their|its|all|at\s+least|more\s+than|"
                          rf"some|about|several|dozens|scores|hundreds|thousands|"
                          rf"{WORD_NUM}|\d+)\b", re.I)


# The noun a part of a toll is named by: a word (and a name's other words), then a plural noun
# ("five foreign tourists", "12 police officers", "eight Defense Ministry servicemen", but
# "12 classmates last Tuesday")
MEMBERS = re.compile(r"\s+([A-Za-z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}"
                     r"(?:\s+(?!and\b|others\b)(?:[a-z][\w'’-]*(?:[a-rt-z]s|men)|"
                     r"children|men|women|people|police|personnel|staff))?)\b")


def _agent(sentence: str, after: re.Match[str]) -> bool:
    """The count is who did it: an active verb with an object after it ("2 seniors killed a
    teacher", "Three teenagers shot and wounded five students"), not "Five killed in blast",
    "12 were killed" or "three killed Monday"."""
    verb = " ".join(after.group("verb").lower().split())
    if verb not in AGENT_VERBS or PASSIVE.search(after.group(0)):
        return False
    rest = sentence[after.end():]
    more = re.match(r"\s+and\s+(?:shot|wounded|injured|killed|stabbed)\b", rest, re.I)
    return bool(OBJECT_START.match(rest[more.end():] if more else rest))


def _excluded(sentence: str, m: re.Match[str]) -> bool:
    """Ages, dates, times, money, measures, names with numbers ("Flight 111"), years."""
    left, right = sentence[:m.start()], sentence[m.end():]
    if NOT_AFTER.match(right) or NOT_BEFORE.search(left[-20:]):
        return True
    if re.match(r"\s+(?:more|new|additional|further)\s+(?:deaths|victims|people|bodies|dead|"
                r"cases)\b", right, re.I):
        return True  # what was added since the last report, not the toll
    # ("another 17 people in intensive care" is a count of its own: "another" alone is not an
    # increment; "bringing the toll to" says when it is, see _drop_increments)
    if AGE.search(left[-30:]) and right.lstrip().startswith(",") and not m.group("q"):
        return True  # "Smith, 45, of Goteborg"
    if re.search(r"\b(?:on|at)\s*$", left[-4:]) and re.match(r"\s+(?:hurt|died|dead)\b", right):
        return True  # "the three-putt on 5 hurt": a hole, a channel, not a count
    if re.search(r"\b[Aa]t\s*$", left[-4:]) and re.match(r",?\s+[A-Z][a-z]+\s+(?:was|is|had|has)\b",
                                                        right):
        return True  # "at 17 Williams was charged as an adult": an age
    if m.group("a").lower() == "one" and (NOT_ONE.search(left[-12:]) or m.group("q") or re.match(
            r"\s+(?:that|who|which|of\b)", right)):
        return True  # ("a virus, one that infected ...", "one of the 13 who died": the 13 count)
    return bool(re.fullmatch(r"1[89]\d\d|20\d\d", m.group("a")) and not m.group("q"))


# Capitalised words before an event noun that are not its name ("The Tuesday explosion").
NOT_EVENT_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                   "the ", "a ", "an ", "it", "this", "that")


def _scope(sentence: str, m: re.Match[str], found: _Found) -> str | None:
    local = LOCAL_SCOPE.match(sentence, m.end())
    if local:  # one name for the people aboard, however written
        where = " ".join(local.group("place").lower().split())
        return where if where == "on the ground" else "aboard"
    if found.split and found.group:
        return found.group  # "In Kenya, 236 Kenyans and 12 Americans were killed"
    month = MONTH_AFTER.match(sentence, found.end)
    if month and len(MONTH_IN.findall(sentence)) >= 2:
        return month.group("place")
    origin = re.search(r"\bfrom\s+(?P<place>the\s+\w+|[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)",
                       sentence[m.end():found.end]) if found.how == "after" else None
    if origin:  # "69 people from the province died"
        return origin.group("place")
    event = EVENT_BEFORE.search(sentence[max(0, m.start() - 80):m.start()])
    if event and not (event.group("name") or "").lower().startswith(NOT_EVENT_NAMES):
        this = event.group("this")
        return " ".join((this[0].lower() + this[1:] if this else event.group("name")).split())
    candidates = [PLACE_AFTER.match(sentence, found.end), ON_PLACE.match(sentence, found.end),
                  EVENT_AFTER.match(sentence, found.end)]
    if " in " in sentence[found.end:found.end + 120]:
        candidates.append(EVENT_PLACE.match(sentence, found.end))
    if found.subject in ("injured", "other:sick"):
        candidates.append(AILMENT.match(sentence, found.end))
    candidates.extend(pattern.search(sentence[:m.start()]) for pattern in PLACE_BEFORE)
    named: str | None = None
    for place in candidates:
        if place is None:
            continue
        name = re.sub(r"['’]s$", "", place.group("place")).strip(" ,.")
        if name.lower().split()[-1] not in NOT_PLACES and name.lower() not in NOT_PLACES:
            named = _apposed(sentence, place, name)
            break
    # (a count's head noun is no scope, so a period still is: "70 protesters have been arrested
    # since the disturbances began")
    period = _period(sentence, m, found) if not (found.split and found.group) else None
    if named and period:
        return f"{named}, {period}"  # the guideline's "place, period"
    return named or period or found.group


def _period(sentence: str, m: re.Match[str], found: _Found) -> str | None:
    """The period of a cumulative toll, when the sentence gives one."""
    if " -- " in sentence:  # (only past the subject's words: the offsets before stay)
        sentence = sentence[:found.end] + DASH_ASIDE.sub(" ", sentence[found.end:])
    alone = ALONE_START.match(sentence) if "alone" in sentence else None
    if alone and alone.end() <= m.start():
        return " ".join(alone.group("place").split())
    year = YEAR_TOLL.match(sentence, found.end) if "year" in sentence else None
    if year:
        return year.group("place")
    if "since" in sentence.lower():
        since = PERIOD_AFTER.match(sentence, found.end) or PERIOD_BEFORE.search(
            sentence[:m.start()])
        if since:
            return "since " + " ".join(since.group("place").split()).rstrip(".")
    if re.search(r"\b(?:years?|months?|weeks?|decades?)\b", sentence):
        stretch = SPAN_AFTER.match(sentence, found.end) or SPAN_BEFORE.search(
            sentence[:m.start()]) or SPAN_START.search(sentence, 0, m.start())
        if stretch:
            return " ".join(stretch.group("place").split())
    return None


# "in the Tanzanian commercial capital Dar es Salaam": the name, not the adjective before it
# (the words between describe: "Nairobi on Aug. 7" is no adjective and a date)
APPOSED = re.compile(r"(?:\s+(?!(?:on|in|at|of|to|for|by|from|with|and|or|since|until)\b)[a-z]+){1,3}"
                     r"\s+(?P<name>[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|de|del|es)\b)*)")


def _apposed(sentence: str, place: re.Match[str], name: str) -> str:
    """A one-word place followed by a description and a name is an adjective: the name is
    the place."""
    if len(name.split()) <= 2 and re.search(r"(?:an|ian|ese|ish|i)$", name):
        named = APPOSED.match(sentence, place.end())
        if named:
            return named.group("name")
    return name


# A year after the count dates the count only when it is close ("killed 300 people in 1988");
# further on, it belongs to something else the sentence tells.
YEAR_REACH = 50
# (eleventh session, forms of web news) "killing a woman ... and wounding at least 46 other
# civilians": "other" is besides the victim just named, not another attack's
BESIDES = re.compile(r"\b(?:killing|killed|wounding|wounded|injuring|injured|shooting|shot)\s+"
                     # (twelfth session: past an age, "killed a 12-year-old girl and injured four
                     # other members of the household")
                     r"(?:a|an|one|the|his|her|their|its)\s+(?!\d(?![\d,]*-(?:year|month|week|day)-old))",
                     re.I)
# "13 people killed ... compared to 17 people killed during the same period in 2006": the figure
# compared with is another period's
COMPARED = re.compile(r"\b(?:compared\s+(?:with|to)|against|versus|vs\.?)\s+(?:just\s+|only\s+|the\s+)?$",
                      re.I)
# "the first since Nov. 11, when Hamas forces fired on a rally, killing eight": the earlier event
# (a date with its month or a year, not "since Tuesday, when": the story's own days)
SINCE_WHEN = re.compile(rf"\bsince\s+(?:(?:{MONTHS})\.?\s+\d{{1,2}}|\d{{1,2}}\s+(?:{MONTHS})|"
                        rf"(?:(?:{MONTHS})\.?\s+)?(?:1[89]|20)\d\d)(?:\s*,?\s*(?:1[89]|20)\d\d)?"
                        r",\s+when\b", re.I)


# "two suspects and three other informants": "other" is besides the part just counted (twelfth
# session; also past an apposition: "four suspects, all of them citizens of X, and seven other")
SPLIT_BEFORE = re.compile(rf"\b(?:{COUNT})\s+(?!(?:people|persons|others)\b)[a-z][\w'’-]*"
                          r"(?:,[^,;.]{1,50},)?\s+and\s*$", re.I)
SINCE_THEN = re.compile(r"[^.;]{0,40}?\bsince\s+then\b", re.I)


def _own_incidents(clause: str, ev: re.Match[str], count_end: int) -> bool:
    """ "3 arrested in separate incidents", "Two soldiers were killed in separate attacks": the
    count's own verb spreads it over several incidents, the ones the sentence reports (twelfth
    session); "after separate attacks" or "separate attacks that killed 300" stay other events."""
    return ev.group(0)[:8].lower() == "separate" and ev.start() >= count_end and \
        re.search(r"\bin\s+$", clause[:ev.start()]) is not None


def _role(sentence: str, m: re.Match[str], article_year: int | None) -> Role:
    left = sentence[:m.start()]
    # the clause the count sits in: from the last ; — or ( before it to the next one after it
    start = max(left.rfind(c) for c in ";—()") + 1
    stops = [i for i in (sentence.find(c, m.end()) for c in ";—()") if i >= 0]
    clause = sentence[start:min(stops) if stops else len(sentence)]
    if YEARS_AGO.search(sentence, max(0, m.start() - 60), m.end() + 60):
        return "other_event"
    if COMPARISON.search(clause, 0, m.start() - start):
        return "other_event"
    if any(not _own_incidents(clause, ev, m.end() - start) for ev in OTHER_EVENT.finditer(clause)) \
            or OTHER_TIME_START.match(sentence) or (re.match(
            r"\s+other\s+(?!people\b|persons\b)[a-z]+s\b", sentence[m.end():])
            and not BESIDES.search(clause, 0, m.start() - start)
            and not SPLIT_BEFORE.search(left[-90:])):
        return "other_event"
    if COMPARED.search(left[-30:]) or SINCE_WHEN.search(clause, 0, m.start() - start):
        return "other_event"
    for y in YEAR.finditer(clause) if ANY_YEAR.search(clause) else ():
        if y.start() + start > m.end() + YEAR_REACH:
            break  # "arrested two agents ... after his departure during his visit in 1998"
        year = int(y.group(1) or y.group(2))
        # (a full date of last year is often the story's own event still in the news: the
        # crash "on October 31, 1999" in a 2000 article about its investigation)
        recent = article_year is not None and year >= article_year - (y.group(2) is not None)
        # ("a truce began to unravel in December 2005 and ... has claimed over 6,000 lives since
        # then": the year starts the count's period, twelfth session)
        counted_since = y.start() + start < m.start() and SINCE_THEN.match(sentence, m.end())
        if SINCE_YEAR.search(clause[:y.start()]) or recent or counted_since or \
                (YEAR_TOLL.match(clause, y.start())
                 and (article_year is None or year >= article_year - 1)):
            continue
        return "other_event"
    if (EARLIER_BEFORE.search(left[-60:]) or EARLIER_AFTER.match(sentence, m.end())
            or EARLIER_START.match(sentence)):
        return "earlier"
    return "current"


def _interval(m: re.Match[str]) -> tuple[Qualifier, int | None, int | None] | None:
    a = parse_count(m.group("a"))
    if a is None:
        return None
    q = " ".join((m.group("q") or "").lower().split())
    b = parse_count(m.group("b")) if m.group("b") else None
    sep = (m.group("sep") or "").lower()
    if b is not None and (sep != "and" or q == "between") and b[1] >= a[0]:
        return "range", a[0], b[1]
    qualifier = "lower" if m.group("post") else QUALIFIERS.get(q, "exact")
    if qualifier == "lower":
        return "lower", a[0], None
    if qualifier == "upper":
        return "upper", None, a[1]
    if a[0] != a[1]:
        return "range", a[0], a[1]
    if b is not None and b[1] < a[0] and sep == "-":
        return None  # "767-300": a model, not a count
    return qualifier if qualifier != "range" else "exact", a[0], a[1]


def read_claims(sentence: str, *, year: int | None = None,
                context: ArticleContext | None = None) -> list[Claim]:
    """Every count of people in one sentence, with subject, scope, interval and role (the hand
    rules; `learned_claims` weighs their reading with the learned model). `year` is the
    article's; `context` what the rest of the article tells (`article_context`), its year
    included."""
    if context is None:
        return _read_sentence(sentence, year)
    return _in_context(sentence, _read_sentence(sentence, context.year if year is None else year),
                       context)


def _in_context(sentence: str, claims: list[Claim], context: ArticleContext) -> list[Claim]:
    """A sentence's claims as the rest of its article tells them (see `_recalled`): once one
    count is the recalled event's, so are the sentence's later ones ("The bombings killed 224
    people ... and injured more than 5,000")."""
    out = []
    recalled = False
    for c in claims:
        recalled = recalled or (c.role == "current" and _recalled(sentence, c, context))
        out.append(replace(c, role="other_event", revised=False)
                   if recalled and c.role == "current" else c)
    return out


def _read_sentence(sentence: str, year: int | None) -> list[Claim]:
    out: list[Claim] = []
    grouped: list[bool] = []  # the claim's scope is the noun it counts ("21 Israelis")
    of_group: list[bool] = []  # ... or any group ("including a dozen Americans")
    taken = 0  # counts inside an earlier claim's words ("of those 77 people") are its scope
    if STATISTIC.search(sentence):
        return []  # "Cold claims dozens of lives each winter": a rate, not this event's count
    for m in MENTION.finditer(sentence):
        if m.start() < taken or _excluded(sentence, m):
            continue
        if re.fullmatch(r"\d+\.\d+", m.group("a")) and not m.group("b"):
            continue  # "Sense UI 4.1 on board": a version, no one is a decimal (eleventh session)
        interval = _interval(m)
        if interval is None:
            continue
        qualifier, low, high = interval
        value = " ".join(m.group(0).split())
        if (m.group("sep") or "").lower() == "to" and re.search(r"\bfrom\s*$",
                                                                 sentence[:m.start()]):
            # "from 95 to 158": two figures, the first recounted, the second current
            first, second = parse_count(m.group("a")), parse_count(m.group("b"))
            found = _subject(sentence, m)
            if found and first and second:
                role = _role(sentence, m, year)
                scope = _scope(sentence, m, found)
                out.append(Claim(found.subject, scope, m.group("a"), *first, "exact",
                                 "earlier" if role == "current" else role, sentence))
                out.append(Claim(found.subject, scope, m.group("b"), *second, "exact",
                                 "current" if role == "earlier" else role, sentence,
                                 revised=bool(REVISED.search(sentence))))
                grouped += [False, False]
                of_group += [False, False]
            continue
        of_them = OF_THEM.match(sentence, m.end()) if out else None
        # "the toll rose to six, three of them homeless men": a part of the count before it
        found = _Found(out[-1].subject, of_them.group("group"), of_them.end(), "ellipsis",
                       split=True) if of_them else _subject(sentence, m)
        if found is None:
            found = _ellipsis(sentence, m, out)
            if found is None:
                continue
        if found.how == "part_of":
            taken = found.end
        role = _role(sentence, m, year)  # (after the subject: most numbers count nobody)
        scope = _scope(sentence, m, found)
        out.append(Claim(found.subject, scope, value, low, high, qualifier, role, sentence,
                         revised=role == "current" and bool(REVISED.search(sentence))))
        grouped.append(scope is not None and scope == found.group and not found.split
                       and found.how in ("after", "before"))
        of_group.append(scope is not None and scope == found.group)
    lowered = sentence.lower()
    if ("death" in lowered or "victim" in lowered or "fatalit" in lowered) and not any(
            c.subject == "killed" for c in out):
        out.extend(_ordinal_death(sentence, year))
        grouped += [False] * (len(out) - len(grouped))
        of_group += [False] * (len(out) - len(of_group))
    out = _revised_in_sentence(sentence, out)
    kept = _drop_increments(sentence, out)
    flags = [g for c, g in zip(out, grouped, strict=True) if any(c is k for k in kept)]
    groups = [g for c, g in zip(out, of_group, strict=True) if any(c is k for k in kept)]
    read = _inherit_scope(sentence, _split_groups(kept, flags), groups)
    if len(read) >= 2 and " and " in sentence:
        read = _split_by_place(sentence, read)
    if all(c.scope is None for c in read):
        return read
    title = _title_case(sentence)
    by_month = len(MONTH_IN.findall(sentence)) >= 2  # (a split by month keeps its months)
    return [c if c.scope is None else replace(c, scope=_tidy_scope(c.scope, title, by_month))
            for c in read]


# (twelfth session) a toll split by place, the places common nouns as often as names: "killed nine
# people at two brokerage offices and three at his home", "five were killed at the rink and two at
# the bar", "11 in Nairobi and two in the suburbs" (the guideline: a split by place is a scope)
VENUE = (r"(?:in|at|inside|near)\s+(?P<{0}>(?:(?:the|a|an|his|her|their|its|two|three|four|\d+)\s+)?"
         r"(?!(?:least|most|all)\b)(?:[\w'’-]+\s+){{0,3}}?[\w'’-]+)(?=\s*(?:[,.;)]|$)|\s+(?:and|on|"
         r"when|after|before|where|while|during|by|with|as|in|at)\b)")
PLACE_SPLIT = re.compile(r"\s+(?:(?:people|persons|others|more|victims)\s+)?(?:(?:were|was|have\s+been|"
                         r"had\s+been|died|killed|dead|injured|wounded|hurt)\s+)*"
                         + VENUE.format("first") + r"\s+and\s+(?:another\s+)?(?P<second>"
                         rf"(?:{COUNT}))(?:\s+(?:more|others|people))?\s+" + VENUE.format("where"),
                         re.I)
AREA_ANAPHOR = re.compile(r"(?:the|that|this)\s+(?:province|region|city|town|country|state|district|"
                          r"area|village|island|county)$", re.I)


def _venue(place: str) -> str:
    """A venue in the guideline's normal form: no article or count before it ("the rink" ->
    "rink", "two brokerage offices" -> "brokerage offices"); an area's anaphor keeps its
    determiner ("the province")."""
    if AREA_ANAPHOR.fullmatch(place):
        return place
    return re.sub(r"^(?:the|a|an|two|three|four|\d+)\s+", "", place, flags=re.I)


def _split_by_place(sentence: str, read: list[Claim]) -> list[Claim]:
    """Two counts of one subject, each said with where it happened, joined by "and": each part
    is scoped by its place (a scope the rules already found is kept)."""
    out = list(read)
    for i in range(len(out) - 1):
        first, second = out[i], out[i + 1]
        if first.subject != second.subject or first.role != second.role:
            continue
        at = sentence.find(first.value)
        split = PLACE_SPLIT.match(sentence, at + len(first.value)) if at >= 0 else None
        if not split or not second.value.endswith(" ".join(split.group("second").split())):
            continue
        out[i] = first if first.scope else replace(first, scope=_venue(split.group("first")))
        out[i + 1] = second if second.scope else replace(second, scope=_venue(split.group("where")))
    return out


FIXED_SCOPES = {"aboard", "on the ground"}
NOT_SCOPES = NOT_PLACES | {"those", "these", "them", "it", "he", "she", "they", "who"}


def _capitalized(sentence: str) -> tuple[int, int]:
    """(words of four letters or more, how many of them start with a capital): a headline in
    title case has nearly all of them capitalized."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", sentence) if len(w) > 3]
    return len(words), sum(w[0].isupper() for w in words)


def _title_case(sentence: str) -> bool:
    """A headline in title case ("Over 12,000 Killed in Earthquake in Turkey"): its capitals
    say nothing about what is a place."""
    n, upper = _capitalized(sentence)
    return n >= 2 and len(sentence.split()) <= 25 and upper >= 0.8 * n


# (eleventh session) A demonym as a scope names its place (the guideline: "the Honduran death
# toll" -> Honduras), so that "the Indonesian toll" and "killed 94,000 in Indonesia" are one scope.
DEMONYMS = {
    "Afghan": "Afghanistan", "Albanian": "Albania", "Algerian": "Algeria", "Angolan": "Angola",
    "Argentine": "Argentina", "Argentinian": "Argentina", "Armenian": "Armenia",
    "Australian": "Australia", "Austrian": "Austria", "Azerbaijani": "Azerbaijan",
    "Bahraini": "Bahrain", "Bangladeshi": "Bangladesh", "Belgian": "Belgium",
    "Bolivian": "Bolivia", "Bosnian": "Bosnia", "Brazilian": "Brazil", "British": "Britain",
    "Bulgarian": "Bulgaria", "Burmese": "Myanmar", "Burundian": "Burundi",
    "Cambodian": "Cambodia", "Cameroonian": "Cameroon", "Canadian": "Canada",
    "Chadian": "Chad", "Chechen": "Chechnya", "Chilean": "Chile", "Chinese": "China",
    "Colombian": "Colombia", "Congolese": "Congo", "Croatian": "Croatia", "Cuban": "Cuba",
    "Cypriot": "Cyprus", "Czech": "Czech Republic", "Danish": "Denmark", "Dutch": "Netherlands",
    "Ecuadorian": "Ecuador", "Egyptian": "Egypt", "Eritrean": "Eritrea", "Estonian": "Estonia",
    "Ethiopian": "Ethiopia", "Filipino": "Philippines", "Philippine": "Philippines",
    "Finnish": "Finland", "French": "France", "Georgian": "Georgia", "German": "Germany",
    "Ghanaian": "Ghana", "Greek": "Greece", "Guatemalan": "Guatemala", "Guinean": "Guinea",
    "Haitian": "Haiti", "Honduran": "Honduras", "Hungarian": "Hungary", "Indian": "India",
    "Indonesian": "Indonesia", "Iranian": "Iran", "Iraqi": "Iraq", "Irish": "Ireland",
    "Israeli": "Israel", "Italian": "Italy", "Ivorian": "Ivory Coast", "Jamaican": "Jamaica",
    "Japanese": "Japan", "Jordanian": "Jordan", "Kazakh": "Kazakhstan", "Kenyan": "Kenya",
    "Korean": "Korea", "Kosovar": "Kosovo", "Kuwaiti": "Kuwait",
    "Kyrgyz": "Kyrgyzstan", "Lebanese": "Lebanon", "Liberian": "Liberia", "Libyan": "Libya",
    "Lithuanian": "Lithuania", "Malawian": "Malawi", "Malaysian": "Malaysia", "Malian": "Mali",
    "Mauritanian": "Mauritania", "Mexican": "Mexico", "Moldovan": "Moldova",
    "Mongolian": "Mongolia", "Moroccan": "Morocco", "Mozambican": "Mozambique",
    "Nepalese": "Nepal", "Nepali": "Nepal", "Nicaraguan": "Nicaragua", "Nigerian": "Nigeria",
    "Nigerien": "Niger", "Norwegian": "Norway", "Pakistani": "Pakistan",
    "Palestinian": "Palestinian territories", "Panamanian": "Panama",
    "Paraguayan": "Paraguay", "Peruvian": "Peru", "Polish": "Poland", "Portuguese": "Portugal",
    "Romanian": "Romania", "Russian": "Russia", "Rwandan": "Rwanda", "Salvadoran": "El Salvador",
    "Saudi": "Saudi Arabia", "Senegalese": "Senegal", "Serb": "Serbia", "Serbian": "Serbia",
    "Sierra Leonean": "Sierra Leone", "Slovak": "Slovakia", "Somali": "Somalia",
    "Spanish": "Spain", "Sri Lankan": "Sri Lanka", "Sudanese": "Sudan", "Swedish": "Sweden",
    "Swiss": "Switzerland", "Syrian": "Syria", "Taiwanese": "Taiwan", "Tajik": "Tajikistan",
    "Tanzanian": "Tanzania", "Thai": "Thailand", "Tibetan": "Tibet", "Tunisian": "Tunisia",
    "Turkish": "Turkey", "Ugandan": "Uganda", "Ukrainian": "Ukraine", "Uzbek": "Uzbekistan",
    "Venezuelan": "Venezuela", "Vietnamese": "Vietnam", "Yemeni": "Yemen",
    "Yugoslav": "Yugoslavia", "Zambian": "Zambia", "Zimbabwean": "Zimbabwe",
}


def _tidy_scope(scope: str, title_case: bool, by_month: bool = False) -> str | None:
    """A scope as the reader sees it: "Kenya", not "the Kenya" (a name needs no article; an
    anaphor keeps it: "the province"); none from a title-case headline, or a bare pronoun."""
    if title_case and scope not in FIXED_SCOPES:
        return None
    words = scope.split()
    if len(words) > 1 and words[0].lower() == "the" and words[1][:1].isupper():
        scope = " ".join(words[1:])
    if by_month and re.fullmatch(MONTH_NAMES, scope):
        return scope
    if scope in DEMONYMS:
        return DEMONYMS[scope]  # "the Indonesian death toll": Indonesia
    return None if scope.lower() in NOT_SCOPES else scope


_read_by_rules = read_claims  # (what the learned reader builds on, whatever a caller rebinds)


ORDINALS = {w: i + 1 for i, w in enumerate(
    ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
     "tenth"])}
# "West Nile Virus Claims 1st Death", "the city's third death from the virus": the toll is N
ORDINAL_DEATH = re.compile(
    r"\b(?P<n>" + "|".join(ORDINALS) + r"|\d+(?:st|nd|rd|th))\s+(?:(?:confirmed|known|reported|"
    r"human|such)\s+)?(?:death|fatality|victim)\b(?!\s+(?:row|penalty|sentence|threat))", re.I)


def _ordinal_death(sentence: str, year: int | None) -> list[Claim]:
    found = ORDINAL_DEATH.search(sentence)
    if not found:
        return []
    raw = found.group("n").lower()
    n = ORDINALS.get(raw) or int(re.sub(r"\D", "", raw))
    if n > 10_000:
        return []
    m = MENTION.search(sentence, found.start())  # for the role's clause
    role = _role(sentence, m, year) if m and m.start() == found.start() else "current"
    return [Claim("killed", None, found.group("n"), n, n, "exact", role, sentence)]


# (twelfth session: the group may be said before a relative clause, "four of them were men who
# shielded their girlfriends")
OF_THEM = re.compile(r"\s+of\s+(?:them|whom)\s+(?:were\s+|are\s+)?(?P<group>[a-z][\w'’-]*"
                     r"(?:\s+[a-z][\w'’-]*)?)(?=\s*(?:[,.;)]|$)|\s+(?:who|whom|that)\b)")


def _split_groups(claims: list[Claim], grouped: list[bool]) -> list[Claim]:
    """A group is a scope only when the sentence splits a subject by it ("three soldiers and
    one activist were killed"); "wounded 21 Israelis" names the count, it does not narrow it."""
    per_subject: dict[str, int] = {}
    for c in claims:
        per_subject[c.subject] = per_subject.get(c.subject, 0) + 1
    return [replace(c, scope=None) if g and per_subject[c.subject] < 2 else c
            for c, g in zip(claims, grouped, strict=True)]


def _inherit_scope(sentence: str, claims: list[Claim], of_group: list[bool]) -> list[Claim]:
    """ "killing 156 people in the Philippines and leaving hundreds of thousands homeless": a
    place or a period goes on to the next subject; a group ("one teacher") does not."""
    out = list(claims)
    for i in range(1, len(out)):
        prev, c = out[i - 1], out[i]
        if c.scope is None and prev.scope and prev.subject != c.subject and \
                not of_group[i - 1] and prev.role == c.role:
            between = sentence[sentence.find(prev.value):sentence.find(c.value)]
            # (also a list of verbs: "has killed seven people, sickened 56 and ...")
            if (" and " in between or LISTED_VERB.fullmatch(between)) and \
                    not re.search(r"[.;]", between):
                out[i] = replace(c, scope=prev.scope)
    return out


# a count, its noun, then the next verb of a list: "seven people, sickened "
LISTED_VERB = re.compile(r"[^,]*,\s+(?:and\s+)?[a-z]+ed(?:\s+(?:about|some|nearly|almost|at\s+least|"
                         r"more\s+than|over))?\s*")
COUNT_END = re.compile(rf"\b(?:{COUNT})\s+$", re.I)
LISTED_PLACE = re.compile(r"(?:,|\band|\bfollowed\s+by)\s+(?P<place>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)"
                          r"\s+with\s*$")


def _ellipsis(sentence: str, m: re.Match[str], before: list[Claim]) -> _Found | None:
    """ "257 killed, 11 of them in Tanzania", "143 hospitalized ... and 51 with frostbite",
    "has risen to 158, up from 95": a count with no words of its own borrows its neighbour's."""
    if not before or ANIMALS.match(sentence, m.end()) or THINGS.match(sentence, m.end()):
        return None  # ("2,000 Kenyans and 7,500 animals have been displaced")
    near = before[-1]
    left = sentence[max(0, m.start() - 60):m.start()]
    right = sentence[m.end():]
    # "killed 258 people, including 12 Americans"; "rose to 56, including the four bombers"
    if re.search(r"\bincluding(?:\s+the)?\s*$", left):
        # ("including the four alleged assailants": the noun, past a hedge)
        group = re.match(r"\s+(?:(?:alleged|suspected|reported)\s+)?([A-Za-z][\w'’-]+)\b", right)
        named = group.group(1) if group and group.group(1).lower() not in PLAIN_GROUPS and \
            group.group(1).lower() not in ("in", "at", "on", "from", "across") else None
        return _Found(near.subject, named,
                      m.end(), "ellipsis", split=True)
    if LOCAL_SCOPE.match(sentence, m.end()) and re.search(r"(?:,|\band|\bas\s+well\s+as)\s*$",
                                                          left):
        return _Found(near.subject, None, m.end(), "ellipsis")
    head = left.rstrip()[:-4].rstrip() if left.rstrip().endswith(" and") else ""
    # ("four suspects, all of them citizens of Tajikistan, and seven other alleged accomplices":
    # past an apposition, twelfth session)
    head = re.sub(r",[^,;.]{1,50},$", "", head) if head.endswith(",") else head
    if near.scope and head.endswith(near.scope) and COUNT_END.search(head[:-len(near.scope)]):
        # "included eight servicemen and 17 policemen": the split goes on
        hedge = re.match(r"\s+(?:(?:other|more|alleged|suspected|reported)\s+)+(?=[a-z])", right)
        if hedge:
            right, m_end = right[hedge.end() - 1:], m.end() + hedge.end() - 1
        else:
            m_end = m.end()
        group = MEMBERS.match(right)
        if group and group.group(1).lower() not in PLAIN_GROUPS:
            return _Found(near.subject, group.group(1), m_end + group.end(), "ellipsis",
                          split=True)
    month = MONTH_AFTER.match(sentence, m.end())
    if month and re.search(r"(?:,|\band|\bwhile)\s*$", left) and \
            len(MONTH_IN.findall(sentence)) >= 2:
        return _Found(near.subject, month.group("place"), month.end(), "ellipsis", split=True)
    listed = LISTED_PLACE.search(left)
    if listed and re.match(r"\s*(?:[,;.]|and\b|$)", right):
        # "Sakarya ranked second with 3,046 deaths, followed by Yalova with 2,400, Bolu with 248"
        return _Found(near.subject, listed.group("place"), m.end(), "ellipsis", split=True)
    if near.subject == "displaced" and re.search(r"(?:[,_:;–—-]|\band)\s*$", left):
        to = re.match(r"\s+to\s+(?:the\s+)?(?:neighbou?ring\s+)?(?P<place>(?:[a-z]+\s+){0,3}?"
                      r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)", right)
        if to:  # "70,000 have fled _ about 45,000 to other parts of Kosovo, 13,000 to Montenegro"
            return _Found(near.subject, to.group("place"), m.end() + to.end(), "ellipsis",
                          split=True)
    own = re.match(r"\s+(?:of\s+them\s+)?(?:in|with|at|inside)\b", right)
    # ("the toll stands at 160 (88 in the U.S., 54 in Haiti)": a split in brackets, too; "723
    # died: 500 in Concepcion")
    if own and re.search(r"(?:,|\band|\(|:)\s*$", left):
        return _Found(near.subject, None, m.end() + (right.find("of them") + 7
                                                     if right.lstrip().startswith("of them")
                                                     else 0), "ellipsis")
    if re.search(r"\b(?:up|down)\s+from\s*$|\b(?:estimate|figure|toll|count|total)\s+of\s*$",
                 left, re.I):
        return _Found(near.subject, near.scope, m.end(), "ellipsis")
    return None


def _revised_in_sentence(sentence: str, claims: list[Claim]) -> list[Claim]:
    """ "the toll rose to 17,997, but revised that figure down to 12,514": a figure the same
    sentence then revises is an earlier one; the revised figure is the current claim."""
    if len(claims) < 2 or not REVISED.search(sentence):
        return claims
    out = list(claims)
    for i, c in enumerate(out):
        if c.role != "current":
            continue
        j = next((k for k in range(i + 1, len(out))
                  if out[k].subject == c.subject and out[k].role == "current"), None)
        if j is None:
            continue
        start, end = sentence.find(c.value), sentence.find(out[j].value)
        if 0 <= start < end and REVISED.search(sentence, start + len(c.value), end):
            out[i] = replace(c, role="earlier", revised=False)
            out[j] = replace(out[j], revised=True)
    return out


def _drop_increments(sentence: str, claims: list[Claim]) -> list[Claim]:
    """ "two youths died ..., bringing the death toll to 62": only the toll is a claim."""
    if len(claims) < 2 or not INCREMENT.search(sentence):
        return claims
    top: dict[str, float] = {}
    for c in claims:
        top[c.subject] = max(top.get(c.subject, 0), point(c))
    tolls = {c.subject for c in claims if re.search(r"\b(?:toll|total)\b", sentence, re.I)}
    return [c for c in claims if c.subject not in tolls or point(c) >= top[c.subject]]


# -- the learned reader --------------------------------------------------------------------------
# The rules above are the candidate generator: each count they read is a candidate for its
# subject, and so is every other count with a casualty word within CUE_REACH words, once per
# subject those words name. `claim_model` then says which candidate is the article's current
# figure (and of which subject), which one is recounted or about another event, and which is
# no claim at all: what the rules weigh only by fixed patterns (a subject word seven words
# away, a year in another clause). On the labelled set it learnt to follow the rules' reading
# (docs/benchmarks.md section 6, seventh session), which is why it is not the default.
CUES: dict[str, str] = {
    **{w: s for w, s in BEFORE.items() if w not in NEEDS_AFTER},
    **AFTER, **TOLLS, "lives": "killed", "kill": "killed", "killings": "killed",
    "die": "killed", "dying": "killed", "deaths": "killed", "victims": "killed",
    "injuries": "injured", "casualties": "other:casualties", "refugees": "displaced",
    "survivors": "other:rescued", "evacuees": "displaced", "arrests": "arrested",
}
# (looked up word by word: one regex alternation of them all was a third of the reader's time)
CUE_NGRAMS = {tuple(words.split()): subject for words, subject in CUES.items()}
CUE_FIRST = frozenset(words[0] for words in CUE_NGRAMS)
CUE_LONGEST = max(len(words) for words in CUE_NGRAMS)
CUE_REACH = 10  # words between a count and its cue word, at most
TOKEN = re.compile(r"\d+(?:[,.]\s?\d+)*|[A-Za-z]+(?:['’][A-Za-z]+)?|[^\s\w]|_")
# Cues of the sentence as a whole, each a feature when it is found; a pattern is tried only
# when one of its words is in the lowercased sentence (most sentences hold none of them).
SENTENCE_CUES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("earlier_start", ("earlier", "previously", "initially", "at first"), EARLIER_START),
    ("other_event", ("when", "anniversary", "last ", "previous", "recent", "earlier", "past",
                     "other", "separate", "similar"), OTHER_EVENT),
    ("other_time_start", ("last", "in 1", "in 2"), OTHER_TIME_START),
    ("years_ago", ("ago", "earlier", "before"), YEARS_AGO),
    ("statistic", ("each", "every", "per", "annually"), STATISTIC),
    ("revised", ("revis", "lower", "reduc", "cut", "correct", "downgrad", "adjust", "down from",
                 "backed off", "overstat", "retract"), REVISED),
    ("increment", ("toll", "total", "number"), INCREMENT),
    ("comparison", ("the way", "unlike", "compared", "similar to", "reminiscent", "recall"),
     COMPARISON),
    ("when", ("when",), re.compile(r"\bwhen\b", re.I)),
    ("since", ("since",), re.compile(r"\bsince\b", re.I)),
    ("ago", ("ago",), re.compile(r"\bago\b", re.I)),
    ("last", ("last",), re.compile(r"\blast\s+(?:year|month|week|summer|winter|spring|fall|"
                                  r"autumn)\b", re.I)),
    ("would", ("could", "may", "might", "would", "will"),
     re.compile(r"\b(?:could|may|might|would|will)\s+(?:have\s+)?(?:be|die|kill)", re.I)),
)
ANY_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@dataclass(frozen=True)
class Proposal:
    """A candidate claim: what `claim_model` sees of it and the claim it would become."""

    unit: int  # which count of the sentence (candidates of one count compete)
    start: int  # character span of the count
    end: int
    candidate: claim_model.Candidate
    claim: Claim
    cues: tuple[str, ...]  # the sentence's cue features and the count's own


def _kind(raw: str) -> str:
    return "digits" if raw[:1].isdigit() or any(ch.isdigit() for ch in raw) else \
        "vague" if " ".join(raw.lower().split()) in VAGUE else "words"


def _locate(sentence: str, value: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Where a claim's words are in its sentence: the leftmost place no other claim holds."""
    pattern = re.compile(r"\s+".join(re.escape(w) for w in value.split()))
    for m in pattern.finditer(sentence):
        if all(m.end() <= a or m.start() >= b for a, b in taken):
            return m.start(), m.end()
    return None


def _sentence_cues(sentence: str, year: int | None) -> list[str]:
    low = sentence.lower()
    out = [name for name, words, pattern in SENTENCE_CUES
           if any(w in low for w in words) and pattern.search(sentence)]
    years = [int(y) for y in ANY_YEAR.findall(sentence)]
    if year is not None and any(y < year for y in years):
        out.append("old_year")
    n, upper = _capitalized(sentence)
    if n >= 3 and upper >= 0.7 * n:
        out.append("headline")  # a headline or a title-cased caption
    return out


def _count_cues(sentence: str, start: int, end: int, year: int | None) -> list[str]:
    """Cues next to the count itself (what the rules' role reads)."""
    left = sentence[max(0, start - 60):start]
    out = []
    if EARLIER_BEFORE.search(left):
        out.append("earlier_before")
    if EARLIER_AFTER.match(sentence, end):
        out.append("earlier_after")
    if CURRENT_BEFORE.search(left):
        out.append("current_before")
    near = ANY_YEAR.search(sentence, end, end + YEAR_REACH)
    if near and year is not None and int(near.group(1)) < year:
        out.append("old_year_after")
    before = [int(y) for y in ANY_YEAR.findall(sentence, 0, start)]
    if before and year is not None and before[-1] < year:
        out.append("old_year_before")
    if YEARS_AGO.search(sentence, max(0, start - 60), end + 60):
        out.append("years_ago_near")
    return out


@dataclass(frozen=True)
class Reading:
    """A sentence as the learned reader sees it."""

    tokens: list[str]  # its words, lowercased
    spans: list[tuple[int, int]]  # where each word is
    proposals: list[Proposal]
    unplaced: list[Claim]  # the rules' claims not found in the sentence (kept as read)


def _cue_words(tokens: list[str]) -> list[tuple[int, int, str, str]]:
    """The casualty words among a sentence's words: (start, end, subject, words), longest first."""
    out = []
    i = 0
    while i < len(tokens):
        n = 1
        if tokens[i] in CUE_FIRST:
            for n in range(min(CUE_LONGEST, len(tokens) - i), 0, -1):
                words = tuple(tokens[i:i + n])
                if words in CUE_NGRAMS:
                    out.append((i, i + n, CUE_NGRAMS[words], " ".join(words)))
                    break
            else:
                n = 1
        i += n
    return out


def proposals(sentence: str, *, year: int | None = None) -> Reading:
    """The sentence's candidate claims (see the section's comment)."""
    rules = _read_by_rules(sentence, year=year)
    spans = [(m.start(), m.end()) for m in TOKEN.finditer(sentence)]
    tokens = [sentence[a:b].lower() for a, b in spans]
    cue_tokens = _cue_words(tokens)
    if not rules and not cue_tokens:
        return Reading([], [], [], [])
    starts = [a for a, _ in spans]

    def token_span(a: int, b: int) -> tuple[int, int]:
        i = bisect_right(starts, a) - 1
        j = bisect_left(starts, b)
        return max(i, 0), max(j, i + 1)

    units: list[tuple[int, int, list[Claim], re.Match[str] | None]] = []
    taken: list[tuple[int, int]] = []
    unplaced: list[Claim] = []
    for c in rules:
        where = _locate(sentence, c.value, taken)
        if where is None:
            unplaced.append(c)
            continue
        taken.append(where)
        units.append((*where, [c], None))
    for mention in MENTION.finditer(sentence):
        if any(mention.start() < b and mention.end() > a for a, b in taken) or \
                _excluded(sentence, mention):
            continue
        units.append((mention.start(), mention.end(), [], mention))
    units.sort(key=lambda u: u[0])
    base = _sentence_cues(sentence, year)
    out: list[Proposal] = []
    for index, (a, b, read, m) in enumerate(units):
        ta, tb = token_span(a, b)
        near: dict[str, tuple[int, int, str]] = {}
        for ca, cb, subject, word in cue_tokens:
            gap = ta - cb if cb <= ta else ca - tb
            if (ca < tb and cb > ta) or gap > CUE_REACH:
                continue  # (a cue inside the count's own words is its qualifier)
            best = near.get(subject)
            if best is None or gap < (ta - best[1] if best[1] <= ta else best[0] - tb):
                near[subject] = (ca, cb, word)
        subjects = list(dict.fromkeys([*(c.subject for c in read), *near]))
        if m is not None:
            interval = _interval(m)
            if interval is None:
                continue
            if not near:
                continue
        count_cues = tuple(base + _count_cues(sentence, a, b, year))
        for subject in subjects:
            ca, cb, word = near.get(subject, (-1, -1, ""))
            rule = next((c for c in read if c.subject == subject), None)
            if rule is not None:
                claim = rule
            elif read:
                claim = replace(read[0], subject=subject, role="current")
            else:
                assert m is not None and interval is not None
                qualifier, low, high = interval
                after = ca >= tb
                found = _Found(subject, None, cues_end(sentence, spans, cb) if after else b,
                               "after" if after else "before")
                claim = Claim(subject, _scope(sentence, m, found), " ".join(m.group(0).split()),
                              low, high, qualifier, "current", sentence)
            bound = claim.low if claim.low is not None else claim.high
            out.append(Proposal(index, a, b, claim_model.Candidate(
                start=ta, end=tb, subject=subject, cue=word or None, cue_start=ca, cue_end=cb,
                rule_role=rule.role if rule else None, rule_other=bool(read) and rule is None,
                qualifier=claim.qualifier, kind=_kind(claim.value),
                magnitude=len(str(bound or 0)), n_subjects=len(subjects)), claim, count_cues))
    return Reading(tokens, spans, out, unplaced)


def cues_end(sentence: str, spans: list[tuple[int, int]], token_end: int) -> int:
    """The character where a token span ends."""
    return spans[token_end - 1][1] if 0 < token_end <= len(spans) else len(sentence)


# A candidate is read as the article's current claim from this probability up.
THRESHOLD = 0.5


def learned_claims(sentence: str, *, year: int | None = None,
                   context: ArticleContext | None = None,
                   model: claim_model.ClaimModel | None = None) -> list[Claim]:
    """`read_claims` with the rules' candidates weighed by the learned model (`model`, else the
    shipped one; without either, the rules alone). Not digest's default: on story-level folds
    of the labelled set it did not beat the rules (docs/benchmarks.md section 6)."""
    if context is not None:
        read = learned_claims(sentence, year=context.year if year is None else year, model=model)
        return _in_context(sentence, read, context)
    model = model or claim_model.default_model()
    if model is None:
        return _read_by_rules(sentence, year=year)
    reading = proposals(sentence, year=year)
    tokens, unplaced = reading.tokens, reading.unplaced
    current = model.classes.index("current")
    by_unit: dict[int, list[tuple[Proposal, tuple[float, ...]]]] = {}
    for p in reading.proposals:
        probs = model.probabilities(claim_model.features(tokens, p.candidate, p.cues,
                                                                p.unit))
        by_unit.setdefault(p.unit, []).append((p, probs))
    out: list[tuple[int, Claim]] = []
    for scored in by_unit.values():
        p, probs = max(scored, key=lambda sp: sp[1][current])
        if probs[current] >= THRESHOLD:
            revised = p.claim.revised or bool(REVISED.search(sentence))
            out.append((p.start, replace(p.claim, role="current", revised=revised)))
            continue
        for p, probs in scored:  # not current: what the rules read, if the model keeps it
            if p.candidate.rule_role is None:
                continue
            role = max((k for k in range(len(probs)) if k != current), key=lambda k: probs[k])
            if model.classes[role] != "none":
                out.append((p.start, replace(p.claim, role=model.classes[role],  # type: ignore[arg-type]
                                             revised=False)))
    out.sort(key=lambda x: x[0])
    return [c for _, c in out] + unplaced


# -- articles ------------------------------------------------------------------------------------
# Sentence ends for reading figures: nupunkt (text.split_sentences) was a third of the figures
# stage; a figure needs its clause, not a perfect sentence, so a rule does: a full stop, then a
# capital, except after a title, an initial or a month.
SENTENCE_END = re.compile(r"(?<=[.!?])(?P<q>[\"'”’)]*)\s+(?=[A-Z0-9\"“'(])")
NO_END = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Maj|Adm|Rev|St|Jr|Sr|"
                    r"Co|Corp|Inc|Ltd|No|vs|Mt|Ft|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|"
                    r"[A-Z])\.|\b[a-z]\.[a-z]\.)[\"'”’)]*$")


def sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences, closely enough for reading figures (see SENTENCE_END)."""
    out: list[str] = []
    start = 0
    for m in SENTENCE_END.finditer(paragraph):
        if NO_END.search(paragraph, start, m.start()):
            continue
        out.append(paragraph[start:m.end("q")].strip())
        start = m.end()
    out.append(paragraph[start:].strip())
    return [s for s in out if s]


def _units(article: Article) -> list[str]:
    """Headline, body sentences and captions that may hold a figure (cheap tests first)."""
    units: list[str] = []
    chunks = (article.title, *article.paragraphs, *article.captions)
    if not _may_hold_figure(" ".join(chunks)):  # most articles: one look at the whole text
        return units
    for chunk in chunks:
        if _may_hold_figure(chunk):
            units.extend(s for s in sentences(" ".join(chunk.split())) if _may_hold_figure(s))
    return units


def article_claims(article: Article) -> list[Claim]:
    """Every claim in an article's headline, body and captions, credited to the article."""
    units = _units(article)
    if not units:
        return []
    year = article.date.year if article.date else _stated_year(article)
    context = None  # (read only when a sentence has a current claim for it to judge)
    out: list[Claim] = []
    seen: set[tuple[str, str | None, str, str]] = set()
    for unit in units:
        found = read_claims(unit, year=year)
        if any(c.role == "current" for c in found):
            context = context or _context(article, year)
            found = _in_context(unit, found, context)
        for c in found:
            key = (c.subject, c.scope, c.value, c.role)
            if key in seen:  # the lead printed twice, a caption repeated under every photo
                continue
            seen.add(key)
            out.append(replace(c, article_id=article.id, outlet=article.outlet,
                               date=article.date))
    return out


@dataclass(frozen=True)
class ArticleContext:
    """What an article's other sentences tell the reading of one of them: its year, and the
    kinds of event it dates in an earlier year ("the 1988 bombing") and does not lead with."""

    year: int | None = None
    past: frozenset[str] = frozenset()  # event kinds, as EVENT_KINDS names them


# Kinds of event a news story recalls, by the nouns that name them.
EVENT_KINDS = {
    "bombing": "bombing", "bombings": "bombing", "bomb": "bombing", "bombs": "bombing",
    "blast": "bombing", "blasts": "bombing", "explosion": "bombing", "explosions": "bombing",
    "crash": "crash", "crashes": "crash", "attack": "attack", "attacks": "attack",
    "shooting": "shooting", "shootings": "shooting", "massacre": "shooting",
    "massacres": "shooting", "rampage": "shooting", "war": "war", "wars": "war", "battle": "war",
    "battles": "war",
    "conflict": "war", "earthquake": "earthquake", "quake": "earthquake",
    "earthquakes": "earthquake", "fire": "fire", "fires": "fire", "blaze": "fire",
    "hurricane": "storm", "typhoon": "storm", "cyclone": "storm", "storm": "storm",
    "flood": "flood", "floods": "flood", "flooding": "flood", "riot": "riot", "riots": "riot",
    "sinking": "sinking", "disaster": "disaster", "tsunami": "tsunami", "epidemic": "epidemic",
    "outbreak": "epidemic",
}
KIND_RE = r"\b(?P<kind>" + "|".join(sorted(EVENT_KINDS, key=len, reverse=True)) + r")\b"
YEAR_RE = r"(?P<year>1[89]\d\d|20\d\d)"
# an event dated by a year: "the 1988 bombing", "the 1988 Lockerbie bombing", "the bombing
# of Pan Am Flight 103 in 1988", "the crash on Sept. 2, 1998"
DATED_EVENT = [
    re.compile(rf"\b{YEAR_RE}\s+(?P<name>(?:[A-Z][\w.'’-]*\s+){{0,3}})(?i:{KIND_RE})"),
    re.compile(rf"(?i:{KIND_RE})\b[^.;]{{0,60}}?\b(?:in(?:\s+(?i:{MONTHS})\.?)?|"
               rf"on\s+(?i:{MONTHS})\.?\s+\d{{1,2}},)\s+{YEAR_RE}\b"),
]
# the name before an event noun: "the World Trade Center bombing"
NAME_BEFORE = re.compile(r"(?:[A-Z][\w.'’-]*\s+){1,3}$")
# A sentence still tells today's news when it names a day ("on Tuesday", "today").
TODAY = re.compile(r"\b(?:today|tonight|yesterday|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b",
                   re.I)


def article_context(article: Article) -> ArticleContext:
    """The article's year (its date's, else the latest full date its text states) and the
    kinds of event it dates in an earlier year without reporting one of that kind in its lead
    (a 1998 report on the Lockerbie trial recalls "the 1988 bombing"; its "The blast killed
    270 people." is that bombing's toll, not news)."""
    return _context(article, article.date.year if article.date else _stated_year(article))


def _context(article: Article, year: int | None) -> ArticleContext:
    if year is None:
        return ArticleContext(None)
    text = " ".join((article.title, article.text))
    past = set()
    names = set()  # the past events' names ("World Trade Center" of "the 1993 World Trade ...")
    for y in ANY_YEAR.finditer(text):  # (only around older years: the event patterns are slow)
        if int(y.group(1)) >= year:
            continue
        window = text[max(0, y.start() - 100):y.end() + 60]
        for pattern in DATED_EVENT:
            for m in pattern.finditer(window):
                if int(m.group("year")) < year:
                    past.add(EVENT_KINDS[m.group("kind").lower()])
                    if "name" in m.groupdict() and m.group("name"):
                        names.add(" ".join(m.group("name").split()))
    if past:
        paragraphs = article.paragraphs
        lead = " ".join((article.title, sentences(paragraphs[0])[0] if paragraphs else ""))
        for m in re.finditer(KIND_RE, lead, re.I):
            near = lead[max(0, m.start() - 60):m.end() + 60]
            name = NAME_BEFORE.search(lead, max(0, m.start() - 60), m.start())
            if name and " ".join(name.group(0).split()) in names:
                continue  # the lead names the dated event itself
            if not any(int(y) < year for y in re.findall(YEAR_RE, near)):
                past.discard(EVENT_KINDS[m.group("kind").lower()])  # the lead's own news
    return ArticleContext(year, frozenset(past))


# the event a count belongs to, named before it in its clause: "The blast killed 270 people",
# "bloody wars in which tens of thousands of people were killed"
EVENT_BEFORE_COUNT = re.compile(rf"(?i:{KIND_RE})(?:\s+[^\s.;]+){{0,6}}?\s*$")
# ... or after it: "Nearly 1,000 soldiers were killed in the brief but bloody battle"
EVENT_AFTER_COUNT = re.compile(rf"[^.;,]{{0,40}}?\b(?:in|during)\s+(?:the|that|those)\s+"
                               rf"(?:[\w-]+\s+){{0,4}}?(?i:{KIND_RE})")


def _recalled(sentence: str, claim: Claim, context: ArticleContext) -> bool:
    """A current-looking count whose event the article dates in an earlier year (and which
    names no day of its own) is that past event's."""
    if not context.past or TODAY.search(sentence):
        return False
    at = sentence.find(claim.value)
    if at < 0:
        return False
    left = sentence[max(0, at - 60):at]
    left = left[max(left.rfind(c) for c in ";—()") + 1:]
    m = EVENT_BEFORE_COUNT.search(left) or EVENT_AFTER_COUNT.match(sentence, at + len(claim.value))
    return bool(m and EVENT_KINDS[m.group("kind").lower()] in context.past)


# A full date in the text: "March 22, 2024", "22 March 2024", "2024-03-22".
FULL_DATE = re.compile(rf"\b(?i:{MONTHS})\.?\s+\d{{1,2}},?\s+((?:19|20)\d\d)\b|"
                       rf"\b\d{{1,2}}\s+(?i:{MONTHS})\.?,?\s+((?:19|20)\d\d)\b|"
                       r"\b((?:19|20)\d\d)-[01]\d-[0-3]\d\b")


def _stated_year(article: Article) -> int | None:
    """An undated article's year, as it states it: the latest full date in its text (a news
    report dates what it reports; a past event it recalls is older). Without it, a year in a
    sentence ("the 2010 earthquake killed 200") could not be told from a past event's."""
    years = [int(next(g for g in m.groups() if g))
             for m in FULL_DATE.finditer(" ".join((article.title, article.text)))]
    return max(years) if years else None


def span(c: Claim | FigurePoint) -> tuple[float, float]:
    """The values a claim allows, for telling compatible figures from conflicting ones."""
    low = c.low if c.low is not None else 0
    high = c.high if c.high is not None else math.inf
    if c.qualifier == "approx":  # "about 7,000": a round figure, give it a tenth either way
        return (0.9 * low, 1.1 * high)
    if c.qualifier == "upper" and c.high is not None and not c.value.lower().startswith(
            ("up to", "fewer", "less", "as many", "under", "at most", "no more")):
        return (0.8 * c.high, c.high)  # "nearly 300" is close to 300
    return (low, high)


def point(c: Claim | FigurePoint) -> float:
    return c.low if c.low is not None else (c.high or 0)


