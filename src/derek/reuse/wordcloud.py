"""The word cloud of a survey's free-text answers: words counted across the answers (Kazakh, Russian and
English mixed), the words that say nothing (built-in stop words of the three languages and the profile's own
in `[reuse] stop_words`) left out, and the most frequent ones with a size step for the page."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# letters (any script) with inner hyphens or apostrophes: "open-data", "don't", "қала-аудан"; no digits
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
MIN_LETTERS = 2
TOP = 40
STEPS = 6  # size classes of the cloud, cloud-w1 (rare) .. cloud-w6 (the most frequent)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH = _words(
    """
    a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each even ever every few for from further get gets got had hadn't has hasn't have haven't having
    he her here hers herself him himself his how however i if in into is isn't it it's its itself just let's
    made make many may me might more most much must mustn't my myself no nor not now of off often on
    once one only or other ought our ours ourselves out over own per please rather really same shall shan't
    she should shouldn't since so some such than that that's the their theirs them themselves then there
    there's these they they'd they'll they're they've this those though through thus to too under until up
    upon us very via was wasn't we we'd we'll we're we've were weren't what what's when where which while
    who whom whose why will with within without won't would wouldn't yes yet you you'd you'll you're you've
    your yours yourself yourselves etc i'd i'll i'm i've it'll lot lots thing things way well
    """
)
RUSSIAN = _words(
    """
    а без более бы был была были было быть в вам вас весь во вот все всё всего всех вы где да даже для до
    его ее её ей ему если есть еще ещё же за здесь и из или им их к как какая какие какой когда кто ли либо
    лишь меня мне мной мы на над не него нее неё нет ни них но ну о об однако он она они оно от очень по под
    после потому при про с со так также такой там те тем то того тоже той только том ту тут у уже хотя чего
    чей чем что чтобы чтоб эта эти это этого этой этом этот я ней нём нем ним ними нас нами вами себя себе
    собой свой своя свое своё свои своих будет будут может можно нужно надо сейчас тогда потом раз ведь
    всегда никогда кроме между через перед около вместо ибо зато причём причем поэтому которые который
    которая которое которых каждый каждая каждое многие много мало больше меньше уж нибудь то-то кое этих
    этим эту тех тот та такие такая такое нам
    """
)
KAZAKH = _words(
    """
    және мен бен пен да де та те ма ме ба бе па пе ғой қой ғана қана әрі не немесе бірақ алайда дегенмен
    себебі сондықтан өйткені егер онда осы сол бұл ол олар біз сіз сен менің сенің оның біздің сіздің
    олардың маған саған оған бізге сізге оларға мені сені оны бізді сізді оларды үшін туралы бойынша арқылы
    дейін кейін бері соң қарай сияқты секілді тәрізді бар жоқ емес еді екен болып болды болса болады болу
    болатын бола барлық әр әрбір кейбір көп аз тағы әлі енді қазір сонда мұнда қайда қалай неге неліктен кім
    қандай қанша шейін дейінгі жөнінде ішінде үстінде астында алдында артында жанында ал ия иә өз өзі өзім
    өзің өздері біреу ешкім ештеңе бәрі барша бірге бір екі сонымен деп дегенді деген осындай сондай мынау
    анау әне міне тек өте ең
    """
)
STOP_WORDS: Mapping[str, frozenset[str]] = {"en": ENGLISH, "ru": RUSSIAN, "kk": KAZAKH}


@dataclass(frozen=True)
class CloudWord:
    word: str
    count: int
    step: int  # 1 .. STEPS: its size in the cloud


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word).lower().replace("’", "'").replace("ё", "е")


def stop_words(extra: Mapping[str, Iterable[str]] | None = None) -> frozenset[str]:
    """Every built-in stop word of the three languages with the profile's extras (answers mix languages,
    so a word is left out whatever language it is a stop word of)."""
    words: set[str] = set()
    for lang_words in (*STOP_WORDS.values(), *(extra or {}).values()):
        words |= {_fold(w) for w in lang_words}
    return frozenset(words)


def words_of(text: str, skip: frozenset[str]) -> list[str]:
    """The words of a text as the cloud counts them: lower case, at least two letters, no stop words."""
    found = []
    for match in WORD.finditer(unicodedata.normalize("NFC", text)):
        word = _fold(match.group(0)).strip("-'")
        if len(word) >= MIN_LETTERS and word not in skip:
            found.append(word)
    return found


def word_cloud(
    texts: Iterable[str], extra: Mapping[str, Iterable[str]] | None = None, *, top: int = TOP
) -> list[CloudWord]:
    """The `top` most frequent words of the texts (ties in alphabetical order), each with a size step
    proportional to its count between the least and the most frequent shown."""
    skip = stop_words(extra)
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(words_of(text, skip))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    if not ranked:
        return []
    most, least = ranked[0][1], ranked[-1][1]
    span = most - least
    return [
        CloudWord(word, n, STEPS if span == 0 else 1 + round((n - least) * (STEPS - 1) / span))
        for word, n in ranked
    ]
