"""The words of news that name a count's subject (killed, injured, arrested, ...): before
or after the count, toll nouns, and the words that make a count one of things, not people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from digest.claims.numbers import COUNT

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
    # (fourteenth session) "the thousands killed and injured": one figure for both, the guideline's
    # casualties (a count of its own after "and" is another claim: "3 killed and 12 injured")
    **dict.fromkeys(("killed and injured", "killed and wounded", "dead and injured",
                     "dead and wounded"), "other:casualties"),
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
ANIMALS = re.compile(r"\s+(?:of\s+)?(?:\w+\s+){0,3}?(?:birds?|crows?|horses?|cattle|animals?|fish|dogs?|"
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
                    r"containers|crates|barrels|parcels|packages|"
                    # groups of people are not people ("five leaders of three hooligan gangs
                    # have been executed", "two armed groups", "three rescue teams")
                    r"gangs|groups|teams|units|squads|clans|tribes|rings|cartels|factions|"
                    r"battalions|brigades|regiments|platoons)\b", re.I)
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
    # (fourteenth session) "crushing some 17,000 people as they slept", "drowned his two children"
    "crushing": "killed", "crushed": "killed", "drowning": "killed", "drowned": "killed",
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
    # (fourteenth session) "crushing some 17,000 people", not "crushed 10-man Rovers 5-0" (a
    # match's)
    **dict.fromkeys(("crushing", "crushed"), re.compile(
        r"(?:\s+[a-z]+)?\s+(?:people|persons|residents|villagers|workers|miners|pilgrims|"
        r"passengers|fans|spectators|worshippers|children|students)\b"
        # (not a protest put down: "crushed 2,000 students protesting in the square")
        r"(?!\s+(?:who\s+(?:were|had\s+been)\s+)?(?:protest|demonstrat|marching|rallying|"
        r"rebel|striking|on\s+strike))", re.I)),
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
