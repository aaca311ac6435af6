"""Words that say nothing about which story a text belongs to.

English function words, reporting verbs and news boilerplate ("said", "live", "update"),
honorifics, and calendar words (days and months are capitalised, so without this list they
would pass for names and glue unrelated stories of the same day together).

Role words ("Prime Minister", "President") are listed apart: they are capitalised before a
name but are not names themselves, and every country has a prime minister.
"""

from __future__ import annotations

_FUNCTION_WORDS = """
a about above across after afterwards again against all almost alone along already also
although always am among amongst an and another any anyhow anyone anything anyway anywhere
are aren't around as at back be became because become becomes been before beforehand behind
being below beside besides between beyond both but by can cannot can't could couldn't did
didn't do does doesn't doing don't done down during each either else elsewhere enough etc even
ever every everyone everything everywhere except few for former formerly from further had
hadn't has hasn't have haven't having he he'd he'll her here hereby herein hers herself he's
him himself his how however i i'd if i'll i'm in indeed into is isn't it its it's itself i've
just last least less let's like made make many may me meanwhile might mine more moreover most
mostly much must my myself namely neither never nevertheless next no nobody none nor not
nothing now nowhere of off often on once one only onto or other others otherwise our ours
ourselves out over own per perhaps please quite rather really same seem seemed seeming seems
several she she'd she'll she's should shouldn't since so some somehow someone something
sometime sometimes somewhere still such than that that's the their theirs them themselves then
thence there thereafter thereby therefore therein there's these they they'd they'll they're
they've this those though through throughout thru thus to together too toward towards under
until up upon us very via was wasn't we we'd we'll were we're weren't we've what whatever
what's when whence whenever where whereafter whereas whereby wherein whereupon wherever
whether which while whither who whoever whole whom whose who's why will with within without
won't would wouldn't yet you you'd you'll your you're yours yourself yourselves you've
"""

_NEWS_BOILERPLATE = """
said says say saying told tell tells according added adds asked reported reports reportedly
claimed claims statement spokesman spokeswoman spokesperson comment comments
live latest update updates updated breaking news follow following read watch video pictured
image images photo photos picture pictures getty credit reuters afp ap pa
today yesterday tomorrow tonight morning afternoon evening night week weekend weeks day days
year years month months time times hour hours minute minutes ago earlier later recently
mr mrs ms miss dr sir lord lady
new first second third two three four five six seven eight nine ten
get got go going goes went come comes came take taken took see seen saw know known want
well way lot lots thing things part including include includes among
monday tuesday wednesday thursday friday saturday sunday
january february april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
"""

STOP_WORDS: frozenset[str] = frozenset((_FUNCTION_WORDS + _NEWS_BOILERPLATE).split())

# Titles and roles written with a capital before a name. They still count as plain words, but
# never as names: boosted, "Prime Minister Modi" and "Prime Minister Bayrou" looked alike, and
# "French President Emmanuel Macron" made a name phrase that "Emmanuel Macron" did not match.
ROLE_WORDS: frozenset[str] = frozenset(
    """
    president presidents prime minister ministers secretary chancellor premier king queen
    prince princess pope governor senator sen rep representative mayor ambassador envoy
    leader deputy vice chief executive ceo chairman chairwoman chair judge justice
    commissioner attorney officer inspector superintendent captain colonel lieutenant
    sergeant general gov gen col capt lt sgt rev bishop archbishop cardinal sheikh emir crown
    spokesman coach manager striker midfielder defender goalkeeper
    """.split()
)
