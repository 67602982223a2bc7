"""LaTeX fragments that PDF-to-markdown converters leave in converted reports ($6N$, $\\frac{1}{320}$,
$\\|w\\|$, $2.3 \\cdot 10^{19}$), rendered as the plain text a reader sees on the page."""

from __future__ import annotations

import re

# inline math as pandoc reads it ($5 and $6 is not): no space inside either dollar, none but "\ "
MATH_RE = re.compile(r"\$(?=\S)([^$\n]{0,400}?(?:\S|\\ ))\$(?!\d)")
SYMBOLS = {
    "times": "×", "cdot": "·", "div": "÷", "pm": "±", "sim": "~", "approx": "≈", "leq": "≤", "le": "≤",
    "geq": "≥", "ge": "≥", "neq": "≠", "leftarrow": "←", "rightarrow": "→", "to": "→", "in": "∈",
    "cup": "∪", "cap": "∩", "dots": "…", "ldots": "…", "cdots": "⋯", "nabla": "∇", "infty": "∞",
    "sum": "∑", "prod": "∏", "partial": "∂", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ",
    "epsilon": "ε", "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ",
    "tau": "τ", "phi": "φ", "omega": "ω", "ell": "ℓ", "Delta": "Δ", "Sigma": "Σ", "Omega": "Ω",
    "%": "%", "{": "{", "}": "}", "_": "_", "|": "‖",
}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}
_GROUP = r"\{((?:[^{}]|\{[^{}]*\})*)\}"  # one brace group, one level of nesting inside
_FRAC_RE = re.compile(r"\\[dt]?frac\s*" + _GROUP + r"\s*" + _GROUP)
_WRAPPER_RE = re.compile(r"\\(?:text|mathrm|mathbf|mathit|operatorname|mathcal|boldsymbol)\s*" + _GROUP)
_BB_RE = re.compile(r"\\mathbb\s*\{(\w)\}")
_ACCENT_RE = re.compile(r"\\(tilde|hat|bar)\s*\{(\w)\}")
_NORM_RE = re.compile(r"\\[ |]\s*(.+?)\s*\\[ |]")
_SCRIPT_RE = re.compile(r"([_^])\{([^{}]*)\}")
_COMMAND_RE = re.compile(r"\\([A-Za-z]+|[%{}_|])")
_ACCENTS = {"tilde": "\u0303", "hat": "\u0302", "bar": "\u0304"}


def _fraction(match: re.Match[str]) -> str:
    parts = [plain_math(p) for p in match.groups()]
    return "/".join(f"({p})" if re.search(r"[\s+\-×·]", p) else p for p in parts)


def plain_math(latex: str) -> str:
    """One LaTeX formula (without its dollar signs) as plain text: 2N \\times \\text{Tokens} → 2N × Tokens."""
    text = _FRAC_RE.sub(_fraction, latex)
    text = _WRAPPER_RE.sub(lambda m: m[1], text)
    text = _BB_RE.sub(lambda m: BLACKBOARD.get(m[1], m[1]), text)
    text = _ACCENT_RE.sub(lambda m: m[2] + _ACCENTS[m[1]], text)
    text = _NORM_RE.sub(lambda m: f"‖{m[1]}‖", text)  # \|w\| (or \ w\ once a converter ate the bars)
    text = _SCRIPT_RE.sub(lambda m: m[1] + (m[2] if re.fullmatch(r"\w|\d+(\.\d+)?", m[2]) else f"({m[2]})"),
                          text)
    text = _COMMAND_RE.sub(lambda m: SYMBOLS.get(m[1], m[1]), text)
    text = re.sub(r"([∇∂])\s+", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def render_math(text: str) -> str:
    """Every $…$ fragment of a line replaced by its plain-text rendering; other text unchanged."""
    if "$" not in text:
        return text
    return MATH_RE.sub(lambda m: plain_math(m[1]), text)
