"""Every tolerance the PDF table reader uses, named in one place (as pdfplumber's TableSettings does).

Distances in points unless the name ends in `_ratio` (a share of the font size or of a width).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PdfTableSettings:
    # words and lines
    word_x_tolerance: float = 1.5
    word_y_tolerance: float = 2.5
    space_ratio: float = 0.15  # a gap wider than this share of the font size is a printed space
    same_line_ratio: float = 0.5  # words whose tops differ by less than this share of the size share a line
    centred_caption_share: float = 0.05  # a caption whose middle is this close to the page's is centred
    centred_caption_indent_share: float = 0.15  # … and that starts this far in from the page edge
    caption_wrap_slack_ratio: float = 3.0  # a caption line ending this close (× size) to its edge wrapped
    # columns of aligned (unruled) tables
    column_gap_ratio: float = 0.5  # a gap in every data line at least this share of the size splits columns
    straddle_share: float = 0.15  # … or in all but this share of them (long labels reaching across)
    dense_share: float = 0.5  # … when both sides are filled in at least this share of the lines
    header_phrase_gap_ratio: float = 0.9  # header words closer than this belong to one header cell
    headnote_width_share: float = 0.8  # a single phrase this wide above a table is a note, not a header
    max_numeric_lines_per_cell: int = 4  # a ruled cell with more lines of numbers frames an unruled body
    max_numbers_per_cell_line: int = 2  # … as does one with more figures on one line (a whole row in a cell)
    rule_join_tolerance: float = 2.0  # rules drawn in pieces this close are one rule (grids without side rules)
    max_ruled_row: float = 60.0  # rules across further apart than this belong to two grids
    header_word_gap_ratio: float = 0.4  # header words further apart than this (sizes) are no running text's words
    figure_edge_tolerance: float = 1.0  # figures of a column ending this close share its right edge
    span_overlap: float = 3.0  # a phrase reaching this far past a column boundary spans columns
    span_centre_share: float = 0.1  # a header centred (within this share of their width) over sub-headers spans them
    span_centre_tie: float = 0.02  # … and of two runs of sub-headers centred this alike, spans the wider
    # rows of aligned tables: wrapped lines inside a cell vs the gap between rows
    wrap_gap_max_ratio: float = 0.75  # lines of one wrapped cell are never further apart than this × size
    header_wrap_body_share: float = 0.7  # a header's lines closer than this share of every body gap …
    header_wrap_max_ratio: float = 1.5  # … and than this × size may be one wrapped header cell
    solid_gap_ratio: float = 0.2  # lines this close (× size) are set solid: within a row …
    row_gap_jump_ratio: float = 1.0  # … when the table's other gaps are this much (× size) wider
    wrap_slack_ratio: float = 2.5  # a cell line ending within this × size of its column's edge is full
    wrap_fit_ratio: float = 0.1  # … and wrapped only if the next line's first word makes it wider than the widest line by this × size
    wrap_room_ratio: float = 2.0  # … and not if that word fits before the next column's text with this × size to spare
    indent_min: float = 1.5  # a line starting this much further right than the one above is indented
    rule_width_share: float = 0.8  # a horizontal rule spans at least this share of the table's text width
    rule_max_thickness: float = 2.0  # a filled rectangle thicker than this (both ways) is shading, not a rule
    max_band_lines: int = 4  # a shaded band holding more lines than this is a panel, not a row
    band_width_share: float = 0.6  # a filled band (zebra row, header band) spans this share of it
    min_shaded_bands: int = 2  # filled bands that make a table "zebra"
    centred_header_ratio: float = 0.35  # sizes apart the middles of a header row's centred cells may lie
    header_over_join_ratio: float = 0.3  # a header this close (× size) to the middle of two
    # columns' text together heads both
    zebra_slot_ratio: float = 1.25  # a white gap between shaded bands no taller than this × their median height is one row
    # continuation across pages
    furniture_margin_share: float = 0.09  # top/bottom share of the page where running headers sit
    continuation_x_tolerance: float = 4.0  # a continued table's columns line up within this
    max_foot_header_lines: int = 3  # a caption ending its page over at most this many header lines heads the next page's table
    # page furniture and sidebars
    prose_width_share: float = 0.4  # a phrase spanning this share of the page is running text
    prose_gap_ratio: float = 1.5  # words closer than this (× size) belong to one prose phrase
    prose_column_width_ratio: float = 18.0  # a phrase this many × size wide is a line of a text column
    min_column_lines: int = 3  # lines of two-column prose that find the gap between the columns
    paragraph_indent_ratio: float = 3.0  # a paragraph's first line starts up to this × size right of the others
    column_edge_ratio: float = 1.0  # a line ending less than a glyph (× size) short of its column's right edge runs to it
    column_break_ratio: float = 3.0  # a blank this many × size high between lines ends a stretch set in columns
    max_prose_line_share: float = 0.3  # a table region with more two-column prose lines is not a table
    min_prose_crossings: int = 3  # a single phrase over this many column boundaries (and half) is running text
    gutter_clearance: float = 4.0  # a sidebar word stands this far beyond the main text
    sidebar_shared_line_share: float = 0.8  # below this share of shared lines, words past the gutter are a sidebar
    # uncaptioned aligned tables
    min_multi_cell_share: float = 0.5  # a table of words: this share of its rows has two or more cells
    min_uncaptioned_rows: int = 3  # body rows an uncaptioned table needs
    max_single_phrase_lines: int = 2  # lines of one phrase (wrapped labels, section rows) inside a block
    block_gap_ratio: float = 2.5  # lines of one uncaptioned table are no further apart than this × size
    section_gap_ratio: float = 4.0  # … or than this, between sections whose figures line up
    headnote_gap_ratio: float = 2.0  # details above a table stand this many × its usual line gap apart
    min_numeric_share: float = 0.4  # share of body cells that read as numbers in an uncaptioned table
    min_filled_share: float = 0.75  # … or share of its body cells that hold text
    max_running_text_share: float = 0.5  # … unless more of its body cells read as running text
    min_numeric_share_two_columns: float = 0.8  # a label and a value column: the values are numbers
    framed_rows_share: float = 0.8  # … or rows filling this share of a ruled frame's height (a table)
    # page triage (triage.py): pages pdfplumber need not analyse
    page_triage: bool = True  # False: analyse every page (the reference the triage is tested against)
    pdfium_objects: bool = True  # pages analysed from pdfium's objects (pdfium_objects.py); False: pdfminer's layout
    # glyph problems
    max_cid_share: float = 0.05  # more (cid:N) glyphs than this share: unmappable font
    doubled_char_share: float = 0.01  # more doubled glyphs than this share: fake bold, dedupe
    # confidence of each way of finding a table
    confidence_captioned_grid: float = 0.95
    confidence_uncaptioned_grid: float = 0.6
    confidence_aligned_base: float = 0.5  # aligned tables: base + fill share × span
    confidence_aligned_span: float = 0.45
    confidence_uncaptioned_aligned: float = 0.5  # uncaptioned aligned tables: at most this
    lattice: dict = field(default_factory=lambda: {"vertical_strategy": "lines",
                                                   "horizontal_strategy": "lines"})

    @property
    def word_settings(self) -> dict:
        return {"x_tolerance": self.word_x_tolerance, "y_tolerance": self.word_y_tolerance,
                "keep_blank_chars": False, "extra_attrs": ["size"]}


DEFAULT_SETTINGS = PdfTableSettings()
