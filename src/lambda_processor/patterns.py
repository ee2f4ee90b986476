"""EventBridge event-pattern grammar (aws-semantics.md §3.2, PAT-1..PAT-31).

One matcher serves EventBridge rules, Lambda SQS filter criteria (FLT-8) and, through
``sns_filter``, SNS subscription filter policies.

How matching works. A pattern is compiled into a disjunction (``$or`` expands into
alternatives, PAT-30) of *conjunctions*. A conjunction is a list of field tests, each a
dotted path (``detail.state.status``) and the ORed matchers of one pattern array
(PAT-3, PAT-29). The event is flattened the same way: every scalar leaf under its dotted
path, arrays expanded (PAT-4). Dotted keys therefore match nested objects and vice versa
(PAT-6). Like AWS's event-ruler, leaves that come from *different elements of the same
array* cannot satisfy one conjunction together ("array consistency"): each leaf carries
the array positions it came from and the fields of a conjunction must agree on them.

Validation raises ``PatternError`` whose text is AWS's exact message where the recorded
vectors give it (``Event pattern is not valid. Reason: ...``); messages for cases AWS was
never recorded on follow the same style and are marked in comments.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from lambda_processor.errors import LambdaProcessorError

AWS_MESSAGE_PREFIX = "Event pattern is not valid. Reason: "
MAX_OR_COMBINATIONS = 1000  # PAT-30
WILDCARD_COMPLEXITY_LIMIT = 10  # see _wildcard_complexity

# Operators EventBridge event buses accept (PAT-20..PAT-28).
ALL_OPERATORS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr"}
)


class PatternError(LambdaProcessorError):
    """An event pattern breaks the grammar. ``str(e)`` is AWS's message; ``reason`` its tail."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(AWS_MESSAGE_PREFIX + reason)


# --------------------------------------------------------------------------------------
# Value predicates: each tests one scalar leaf of the event.
# --------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    # bool is an int subclass in Python; JSON true is never a number.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_literal(pattern_value: Any, event_value: Any) -> bool:
    """Exact match of a pattern literal (PAT-10..PAT-13): types never mix."""
    if pattern_value is None or event_value is None:
        return pattern_value is None and event_value is None
    if isinstance(pattern_value, bool) or isinstance(event_value, bool):
        return isinstance(pattern_value, bool) and isinstance(event_value, bool) and pattern_value == event_value
    if isinstance(pattern_value, str) or isinstance(event_value, str):
        return isinstance(pattern_value, str) and isinstance(event_value, str) and pattern_value == event_value
    # PAT-13: AWS matched [300] against 300.0, so compare numerically.
    return _is_number(pattern_value) and _is_number(event_value) and pattern_value == event_value


@dataclass(frozen=True)
class Literal:
    """An exact value: string, number, boolean or null (PAT-10..PAT-13)."""

    value: Any

    def test(self, leaf: Any) -> bool:
        """True when the leaf equals the value, same JSON type."""
        return _same_literal(self.value, leaf)


@dataclass(frozen=True)
class Prefix:
    """``{"prefix": s}``, optionally case-insensitive (PAT-20)."""

    text: str
    ignore_case: bool = False

    def test(self, leaf: Any) -> bool:
        """True when the leaf is a string starting with the prefix."""
        if not isinstance(leaf, str):
            return False
        if self.ignore_case:
            return leaf.lower().startswith(self.text.lower())
        return leaf.startswith(self.text)


@dataclass(frozen=True)
class Suffix:
    """``{"suffix": s}``, optionally case-insensitive (PAT-21)."""

    text: str
    ignore_case: bool = False

    def test(self, leaf: Any) -> bool:
        """True when the leaf is a string ending with the suffix."""
        if not isinstance(leaf, str):
            return False
        if self.ignore_case:
            return leaf.lower().endswith(self.text.lower())
        return leaf.endswith(self.text)


@dataclass(frozen=True)
class EqualsIgnoreCase:
    """``{"equals-ignore-case": s}`` (PAT-22)."""

    text: str

    def test(self, leaf: Any) -> bool:
        """True when the leaf is a string equal to the text ignoring case."""
        return isinstance(leaf, str) and leaf.lower() == self.text.lower()


@dataclass(frozen=True)
class Wildcard:
    """``{"wildcard": "a*b"}``, whole-string match (PAT-23)."""

    text: str
    regex: re.Pattern = field(compare=False, repr=False)

    def test(self, leaf: Any) -> bool:
        """True when the whole leaf string matches the wildcard."""
        return isinstance(leaf, str) and self.regex.fullmatch(leaf) is not None


@dataclass(frozen=True)
class Numeric:
    """``{"numeric": [...]}``: one bound or a range (PAT-26)."""

    lower: float | None = None
    lower_inclusive: bool = False
    upper: float | None = None
    upper_inclusive: bool = False

    def test(self, leaf: Any) -> bool:
        """True when the leaf is a JSON number inside the bounds."""
        if not _is_number(leaf):  # PAT-26: the string "300" and null never match
            return False
        if self.lower is not None:
            if leaf < self.lower or (leaf == self.lower and not self.lower_inclusive):
                return False
        if self.upper is not None:
            if leaf > self.upper or (leaf == self.upper and not self.upper_inclusive):
                return False
        return True


@dataclass(frozen=True)
class Cidr:
    """``{"cidr": "10.0.0.0/24"}``: IPv4/IPv6 membership (PAT-28)."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network

    def test(self, leaf: Any) -> bool:
        """True when the leaf is an IP address string inside the network."""
        if not isinstance(leaf, str):
            return False
        try:
            address = ipaddress.ip_address(leaf)
        except ValueError:
            return False
        return address.version == self.network.version and address in self.network


@dataclass(frozen=True)
class AnythingBut:
    """PAT-24/25: any *present* value (null and other types included) none of ``excluded`` accepts."""

    excluded: tuple[Any, ...]

    def test(self, leaf: Any) -> bool:
        """True when none of the excluded predicates accepts the leaf."""
        return not any(predicate.test(leaf) for predicate in self.excluded)


@dataclass(frozen=True)
class Exists:
    """PAT-27: handled at field level (it is about presence, not about one leaf value)."""

    present: bool

    def test(self, leaf: Any) -> bool:
        """A present leaf satisfies ``exists: true`` only; absence is judged per field."""
        return self.present


Predicate = Literal | Prefix | Suffix | EqualsIgnoreCase | Wildcard | Numeric | Cidr | AnythingBut | Exists


# --------------------------------------------------------------------------------------
# Flattened events
# --------------------------------------------------------------------------------------

# A leaf's array membership: ((array_id, index), ...) for every array it sits in.
Membership = tuple[tuple[int, int], ...]


def flatten_event(event: Any) -> dict[str, list[tuple[Any, Membership]]]:
    """Map every dotted path of ``event`` to its scalar leaves and their array positions.

    Objects nest with ``.``; array elements share their array's path (PAT-4). Empty
    objects and arrays have no leaves, so they match nothing, not even ``exists``.
    """
    leaves: dict[str, list[tuple[Any, Membership]]] = {}
    array_ids = iter(range(1 << 62))

    def walk(value: Any, path: str, membership: Membership) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, f"{path}.{key}" if path else str(key), membership)
        elif isinstance(value, list):
            array_id = next(array_ids)
            for index, child in enumerate(value):
                walk(child, path, membership + ((array_id, index),))
        elif path:
            leaves.setdefault(path, []).append((value, membership))

    walk(event, "", ())
    return leaves


# --------------------------------------------------------------------------------------
# Compiled pattern
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldTest:
    """One pattern array at one dotted path: its predicates are ORed (PAT-3)."""

    path: str
    predicates: tuple[Predicate, ...]

    def candidates(self, leaves: dict[str, list[tuple[Any, Membership]]]) -> list[Membership]:
        """Array positions under which this field is satisfied (``()`` = unconstrained)."""
        found = leaves.get(self.path, [])
        result: list[Membership] = []
        for predicate in self.predicates:
            if isinstance(predicate, Exists):
                if predicate.present:
                    result.extend(membership for _, membership in found)
                elif not found:
                    # PAT-27: exists:false holds when the path is absent at any level.
                    result.append(())
            else:
                result.extend(membership for value, membership in found if predicate.test(value))
        return result


@dataclass(frozen=True)
class Conjunction:
    """All field tests must hold, with leaves from consistent array elements."""

    tests: tuple[FieldTest, ...]

    @property
    def paths(self) -> frozenset[str]:
        """Dotted paths this conjunction tests."""
        return frozenset(test.path for test in self.tests)

    def matches_flat(self, leaves: dict[str, list[tuple[Any, Membership]]]) -> bool:
        """Match an event already flattened by ``flatten_event``."""
        options = []
        for test in self.tests:
            candidates = test.candidates(leaves)
            if not candidates:
                return False
            if () in candidates:
                continue  # satisfied outside any array: constrains nothing
            options.append({frozenset(membership) for membership in candidates})
        options.sort(key=len)
        return _consistent_choice_exists(options)

    def matches(self, event: dict) -> bool:
        """True when ``event`` satisfies every field test of this conjunction."""
        return self.matches_flat(flatten_event(event))


def _consistent_choice_exists(options: list[set[frozenset[tuple[int, int]]]]) -> bool:
    """Can one candidate per field be chosen so that shared arrays agree on the element?

    A join over the fields, one at a time. Partial choices are projected onto the array
    ids that later fields still use, so unrelated arrays collapse instead of multiplying,
    and candidates are looked up by their positions in the arrays a partial choice has
    already fixed: linear in the candidates, not quadratic.
    """
    states: set[frozenset[tuple[int, int]]] = {frozenset()}
    for position, candidates in enumerate(options):
        later_ids = {array_id for later in options[position + 1:] for m in later for array_id, _ in m}
        joined: set[frozenset[tuple[int, int]]] = set()
        states_by_ids: dict[frozenset[int], list[frozenset[tuple[int, int]]]] = {}
        for state in states:
            states_by_ids.setdefault(frozenset(array_id for array_id, _ in state), []).append(state)
        for fixed_ids, group in states_by_ids.items():
            # candidate -> (its positions in arrays this group fixed, the part later fields need)
            lookup: dict[frozenset[int], dict[frozenset, set[frozenset]]] = {}
            for candidate in candidates:
                shared = frozenset(pair for pair in candidate if pair[0] in fixed_ids)
                kept = frozenset(pair for pair in candidate if pair[0] in later_ids)
                shared_ids = frozenset(array_id for array_id, _ in shared)
                lookup.setdefault(shared_ids, {}).setdefault(shared, set()).add(kept)
            for state in group:
                for shared_ids, by_position in lookup.items():
                    own = frozenset(pair for pair in state if pair[0] in shared_ids)
                    for kept in by_position.get(own, ()):
                        joined.add(frozenset(pair for pair in state | kept if pair[0] in later_ids))
        if not joined:
            return False
        states = joined
    return True


@dataclass(frozen=True, eq=False)
class EventPattern:
    """A validated pattern. ``matches`` is pure and thread-safe; hashed by identity."""

    source: dict
    conjunctions: tuple[Conjunction, ...]

    def matches(self, event: dict) -> bool:
        """True when ``event`` matches any ``$or`` alternative of the pattern."""
        leaves = flatten_event(event)
        return any(conjunction.matches_flat(leaves) for conjunction in self.conjunctions)

    @property
    def top_level_keys(self) -> frozenset[str]:
        """First segment of every tested path (``body`` for ``{"body": {"x": [1]}}``)."""
        return frozenset(path.split(".", 1)[0] for c in self.conjunctions for path in c.paths)

    @property
    def operators(self) -> frozenset[str]:
        """Operator names used anywhere, plus ``$or`` when present (for consumer lints, PAT-31)."""
        names: set[str] = set()
        _collect_operator_names(self.source, names)
        return frozenset(names)


def _collect_operator_names(node: dict, names: set[str]) -> None:
    # Walks a pattern that already passed validation, so the shapes are known.
    for key, value in node.items():
        if key == "$or" and isinstance(value, list):
            names.add("$or")
            for sub_pattern in value:
                _collect_operator_names(sub_pattern, names)
        elif isinstance(value, dict):
            _collect_operator_names(value, names)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    (operator, operand), = item.items()
                    names.add(operator)
                    if operator == "anything-but" and isinstance(operand, dict):
                        names.update(f"anything-but/{inner}" for inner in operand)


# --------------------------------------------------------------------------------------
# Compilation and validation
# --------------------------------------------------------------------------------------


def compile_pattern(pattern: str | dict) -> EventPattern:
    """Validate and compile an EventBridge event pattern (JSON text or parsed dict).

    Raises ``PatternError`` (AWS's ``InvalidEventPatternException`` text) when invalid.
    """
    return compile_pattern_with(pattern)


@functools.lru_cache(maxsize=1024)
def _compile_text(pattern: str) -> EventPattern:
    return compile_pattern(pattern)


def pattern_matches(pattern: str, event: dict) -> bool:
    """Whether ``event`` matches the pattern JSON text; compiled patterns are cached.

    Fits ``sandbox.moto_adapter.hooks.EventPatternMatcher``. Raises PatternError for an
    invalid pattern (AWS rejects those before any event is matched).
    """
    return _compile_text(pattern).matches(event)


def compile_pattern_with(
    pattern: str | dict,
    *,
    allowed_operators: frozenset[str] = ALL_OPERATORS,
    allow_or: bool = True,
    allow_nesting: bool = True,
    max_combinations: int = MAX_OR_COMBINATIONS,
) -> EventPattern:
    """``compile_pattern`` for a consumer with a narrower grammar (SNS filter policies)."""
    source = parse_pattern_json(pattern)
    compiler = _Compiler(allowed_operators, allow_or, allow_nesting, max_combinations)
    alternatives = compiler.object_node(source, "")
    conjunctions = tuple(Conjunction(tuple(tests)) for tests in alternatives)
    for conjunction in conjunctions:
        _check_wildcard_complexity(conjunction)
    return EventPattern(source=source, conjunctions=conjunctions)


def parse_pattern_json(pattern: str | dict) -> dict:
    """Turn pattern text into a dict (duplicate keys: the last wins, PAT-7)."""
    if isinstance(pattern, str):
        try:
            pattern = json.loads(pattern)
        except ValueError as e:
            # Not recorded from AWS; AWS's text for unparsable patterns varies by consumer.
            raise PatternError(f"Filter is not valid JSON: {e}") from e
    if not isinstance(pattern, dict):
        raise PatternError("Filter is not an object")
    return pattern


class _Compiler:
    def __init__(self, allowed_operators: frozenset[str], allow_or: bool, allow_nesting: bool, max_combinations: int):
        self.allowed_operators = allowed_operators
        self.allow_or = allow_or
        self.allow_nesting = allow_nesting
        self.max_combinations = max_combinations

    def object_node(self, node: dict, prefix: str) -> list[list[FieldTest]]:
        if not node:
            # UNVERIFIED text: AWS has no recorded vector for an empty object.
            raise PatternError("Empty objects are not allowed")
        alternatives: list[list[FieldTest]] = [[]]
        for key, value in node.items():
            if key == "$or" and self.allow_or:
                branches = self.or_node(value, prefix)
            else:
                path = f"{prefix}.{key}" if prefix else key
                if isinstance(value, dict):
                    if prefix == "" and not self.allow_nesting:
                        raise PatternError(f'"{key}" must be an array')
                    branches = self.object_node(value, path)
                elif isinstance(value, list):
                    branches = [[FieldTest(path, self.match_array(value))]]
                else:
                    raise PatternError(f'"{key}" must be an object or an array')
            alternatives = [left + right for left in alternatives for right in branches]
            if len(alternatives) > self.max_combinations:
                raise PatternError(
                    f"The total number of combinations of $or exceeds the limit of {self.max_combinations}"
                )
        return alternatives

    def or_node(self, value: Any, prefix: str) -> list[list[FieldTest]]:
        if not isinstance(value, list) or len(value) < 2 or not all(isinstance(v, dict) for v in value):
            raise PatternError("Value of $or must be an array of at least 2 objects")
        branches: list[list[FieldTest]] = []
        for sub_pattern in value:
            branches.extend(self.object_node(sub_pattern, prefix))
        return branches

    def match_array(self, values: list) -> tuple[Predicate, ...]:
        if not values:
            raise PatternError("Empty arrays are not allowed")
        predicates = []
        for value in values:
            if isinstance(value, dict):
                predicates.append(self.operator(value))
            elif isinstance(value, list):
                raise PatternError("Match value must be String, number, true, false, or null")
            else:
                predicates.append(Literal(value))
        return tuple(predicates)

    def operator(self, expression: dict) -> Predicate:
        if len(expression) != 1:
            raise PatternError("Only one key allowed in match expression")
        (name, operand), = expression.items()
        if name not in ALL_OPERATORS:
            raise PatternError(f"Unrecognized match type {name}")
        if name not in self.allowed_operators:
            raise PatternError(f"Unsupported match type {name}")
        if name == "prefix":
            return _prefix_or_suffix(Prefix, "prefix", operand)
        if name == "suffix":
            return _prefix_or_suffix(Suffix, "suffix", operand)
        if name == "equals-ignore-case":
            if not isinstance(operand, str):
                raise PatternError("equals-ignore-case match pattern must be a string")
            return EqualsIgnoreCase(operand)
        if name == "wildcard":
            return _wildcard(operand)
        if name == "anything-but":
            return _anything_but(operand)
        if name == "numeric":
            return _numeric(operand)
        if name == "exists":
            if not isinstance(operand, bool):
                raise PatternError("exists match pattern must be either true or false.")
            return Exists(operand)
        return _cidr(operand)


def _prefix_or_suffix(kind: type, name: str, operand: Any) -> Predicate:
    if isinstance(operand, str):
        return kind(operand)
    if isinstance(operand, dict) and list(operand) == ["equals-ignore-case"]:
        inner = operand["equals-ignore-case"]
        if isinstance(inner, str):
            return kind(inner, ignore_case=True)
    raise PatternError(f"{name} match pattern must be a string")




def _wildcard_tokens(text: str) -> list[str | None]:
    """Characters of a wildcard pattern, ``None`` for an unescaped ``*`` (``\\*`` is literal)."""
    tokens: list[str | None] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            if index + 1 >= len(text) or text[index + 1] not in "*\\":
                raise PatternError(f"Invalid escape in wildcard pattern at pos {index}")
            tokens.append(text[index + 1])
            index += 2
            continue
        if char == "*":
            if tokens and tokens[-1] is None:
                raise PatternError(f"Consecutive wildcard characters at pos {index}")
            tokens.append(None)
        else:
            tokens.append(char)
        index += 1
    return tokens


def _wildcard(operand: Any) -> Wildcard:
    if not isinstance(operand, str):
        raise PatternError("wildcard match pattern must be a string")
    tokens = _wildcard_tokens(operand)
    # `*` matches any run, including an empty one (the AWS docs: "any number of characters").
    regex = "".join(".*" if token is None else re.escape(token) for token in tokens)
    return Wildcard(operand, re.compile(regex, re.DOTALL))


def _anything_but(operand: Any) -> AnythingBut:
    if isinstance(operand, str) or _is_number(operand):
        return AnythingBut((Literal(operand),))
    if isinstance(operand, list):
        if not operand:
            raise PatternError("Empty arrays are not allowed")
        for value in operand:
            if not (isinstance(value, str) or _is_number(value)):
                raise PatternError("Inside anything but list, start|null|boolean is not supported.")
        return AnythingBut(tuple(Literal(value) for value in operand))
    if isinstance(operand, dict) and len(operand) == 1:
        (name, inner), = operand.items()
        values = inner if isinstance(inner, list) else [inner]
        if name in ("prefix", "suffix"):
            if isinstance(inner, dict):
                # AWS rejects a nested equals-ignore-case here with this (odd) text.
                raise PatternError("Value of anything-but must be an array or single string/number value.")
            if not values or not all(isinstance(v, str) for v in values):
                raise PatternError("prefix/suffix match pattern must be a string")
            if any(v == "" for v in values):
                raise PatternError("Null prefix/suffix not allowed")
            kind = Prefix if name == "prefix" else Suffix
            return AnythingBut(tuple(kind(v) for v in values))
        if name == "equals-ignore-case":
            if not values or not all(isinstance(v, str) for v in values):
                raise PatternError(
                    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
                )
            return AnythingBut(tuple(EqualsIgnoreCase(v) for v in values))
        if name == "wildcard":
            if not values or not all(isinstance(v, str) for v in values):
                raise PatternError("wildcard match pattern must be a string")
            return AnythingBut(tuple(_wildcard(v) for v in values))
        raise PatternError(f"Unsupported anything-but pattern: {name}")
    raise PatternError("Value of anything-but must be an array or single string/number value.")


_LOWER_OPS = {">": False, ">=": True}
_UPPER_OPS = {"<": False, "<=": True}


def _numeric(operand: Any) -> Numeric:
    if not isinstance(operand, list):
        raise PatternError("Value of numeric must be an array.")
    if not operand:
        raise PatternError("Empty arrays are not allowed")

    def number_after(index: int) -> float:
        op = operand[index]
        if index + 1 >= len(operand) or not _is_number(operand[index + 1]):
            raise PatternError(f"Value of {op} must be numeric")
        return operand[index + 1]

    first = operand[0]
    if first == "=":
        value = number_after(0)
        if len(operand) > 2:
            raise PatternError("Too many terms in numeric range expression")
        return Numeric(value, True, value, True)
    if first in _UPPER_OPS:
        value = number_after(0)
        if len(operand) > 2:
            raise PatternError("Too many terms in numeric range expression")
        return Numeric(upper=value, upper_inclusive=_UPPER_OPS[first])
    if first not in _LOWER_OPS:
        raise PatternError(f"Unrecognized numeric range operator: {first}")
    lower = number_after(0)
    if len(operand) == 2:
        return Numeric(lower=lower, lower_inclusive=_LOWER_OPS[first])
    second = operand[2]
    if second not in _UPPER_OPS:
        raise PatternError(f"Bad numeric range operator: {second}")
    upper = number_after(2)
    if len(operand) > 4:
        raise PatternError("Too many terms in numeric range expression")
    if lower >= upper:
        raise PatternError("Bottom must be less than top")
    return Numeric(lower, _LOWER_OPS[first], upper, _UPPER_OPS[second])


def _cidr(operand: Any) -> Cidr:
    if not isinstance(operand, str):
        raise PatternError("prefix match pattern must be a string")  # AWS's text for cidr too
    parts = operand.split("/")
    if len(parts) != 2:
        raise PatternError("Malformed CIDR, one '/' required")
    address, mask = parts
    try:
        mask_bits = int(mask)
    except ValueError:
        raise PatternError("Malformed CIDR, mask bits must be an integer") from None
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        raise PatternError(f"Nonstandard IP address: {address}") from None
    if not 0 <= mask_bits <= parsed.max_prefixlen:
        raise PatternError(f"Malformed CIDR, mask bits must be between 0 and {parsed.max_prefixlen}")
    return Cidr(ipaddress.ip_network(operand, strict=False))


# --------------------------------------------------------------------------------------
# Wildcard complexity (PAT-23)
# --------------------------------------------------------------------------------------


def _wildcard_patterns(conjunction: Conjunction) -> Iterator[tuple[str, list[str | None]]]:
    for test in conjunction.tests:
        for predicate in test.predicates:
            inner: Iterable[Predicate] = predicate.excluded if isinstance(predicate, AnythingBut) else (predicate,)
            for candidate in inner:
                if isinstance(candidate, Wildcard):
                    yield test.path, _wildcard_tokens(candidate.text)


def _check_wildcard_complexity(conjunction: Conjunction) -> None:
    by_path: dict[str, list[list[str | None]]] = {}
    for path, tokens in _wildcard_patterns(conjunction):
        by_path.setdefault(path, []).append(tokens)
    for patterns in by_path.values():
        if _wildcard_complexity(patterns) > WILDCARD_COMPLEXITY_LIMIT:
            raise PatternError(
                "Rule is too complex - try using fewer wildcard characters or fewer repeating "
                "character sequences after a wildcard character"
            )


def _wildcard_complexity(patterns: list[list[str | None]]) -> int:
    """Most NFA states one input string can keep alive at once across a field's wildcards.

    An approximation of event-ruler's MachineComplexityEvaluator: both stars and literal
    runs that repeat after a star multiply the states a byte can reach. Calibrated on AWS
    outcomes: ``*:*:*:*:*:event-bus/*`` (13) is rejected, the 5x repeating
    ``/Users/*/dir/dir/dir/dir/dir/doc.txt`` (8) accepted; four ``*.ext`` wildcards on one
    field (12) are rejected in AWS while two ``*/datasync/*.ext`` (10) are accepted.
    """

    def close(states: Iterable[tuple[int, int]]) -> frozenset[tuple[int, int]]:
        result = set(states)
        pending = list(result)
        while pending:
            which, position = pending.pop()
            tokens = patterns[which]
            if position < len(tokens) and tokens[position] is None and (which, position + 1) not in result:
                result.add((which, position + 1))
                pending.append((which, position + 1))
        return frozenset(result)

    alphabet: set[str | None] = {token for tokens in patterns for token in tokens if token is not None}
    alphabet.add(None)  # stands for "any character no pattern names"
    start = close((which, 0) for which in range(len(patterns)))
    seen = {start}
    pending = [start]
    worst = 0
    while pending:
        active = pending.pop()
        for char in alphabet:
            following = set()
            for which, position in active:
                tokens = patterns[which]
                if position < len(tokens):
                    if tokens[position] is None:
                        following.add((which, position))
                    elif char is not None and tokens[position] == char:
                        following.add((which, position + 1))
            if not following:
                continue
            reached = close(following)
            worst = max(worst, len(reached))
            if worst > WILDCARD_COMPLEXITY_LIMIT:
                return worst
            if reached not in seen:
                seen.add(reached)
                pending.append(reached)
    return worst
