"""Generate the built-in filing templates into ``documents/templates/``.

Run ``python -m documents.build_templates`` after changing the wording here, and
commit both this script and the .docx files it writes. The templates are plain Word
documents: an organisation can download one, adapt it in Word and upload it as its own.

Wording is jurisdiction-neutral: court, case number, parties and counsel come from the
case; everything a lawyer must decide for the particular filing is a typed field.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from documents.builtin import BUILTIN_TEMPLATES, TEMPLATES_DIR

FONT = "Times New Roman"  # LibreOffice substitutes the metric-compatible Liberation Serif


# --------------------------------------------------------------------------- helpers


def new_document(title: str, subject: str) -> DocumentType:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)  # A4
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.5)

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Title", 16), ("Heading 1", 14), ("Heading 2", 12)):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        # The default heading styles name theme fonts, which win over font.name.
        fonts = style.element.rPr.rFonts
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)

    core = doc.core_properties
    core.title = title
    core.subject = subject
    core.author = "{{ lawyer.name }}"
    core.comments = "Drafted from a template by the court accompaniment and case tracker."
    core.keywords = ""
    core.last_modified_by = ""
    return doc


def para(
    doc: DocumentType,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    size: int | None = None,
    indent_cm: float | None = None,
    space_after: int | None = None,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
        run.italic = italic
        if size:
            run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if indent_cm is not None:
        paragraph.paragraph_format.left_indent = Cm(indent_cm)
    if space_after is not None:
        paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def numbered(doc: DocumentType, number: str, text: str) -> Paragraph:
    """A numbered paragraph with a hanging indent, as courts number submissions."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.left_indent = Cm(1.25)
    paragraph.paragraph_format.first_line_indent = Cm(-1.25)
    paragraph.add_run(f"{number}\t{text}")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    return paragraph


def heading(doc: DocumentType, text: str, level: int = 2) -> Paragraph:
    return doc.add_heading(text, level=level)


def _set_cell(cell, text: str, *, bold: bool = False) -> None:
    cell.text = ""
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold


def label_table(doc: DocumentType, rows: Sequence[tuple[str, str]]) -> Table:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in rows:
        cells = table.add_row().cells
        _set_cell(cells[0], label, bold=True)
        _set_cell(cells[1], value)
    _widths(table, (Cm(5), Cm(11)))
    doc.add_paragraph()
    return table


def _widths(table: Table, widths: Sequence[Cm]) -> None:
    # Word reads cell widths, LibreOffice the table grid: set both or they disagree.
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def court_heading(doc: DocumentType) -> None:
    para(doc, "IN THE {{ court.name|upper }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
         size=13, space_after=0)  # fmt: skip
    para(doc, "{{ court.address }}", align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    para(doc, "CASE No. {{ case.court_case_number }}", bold=True,
         align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip


def parties_table(doc: DocumentType, applicant: str) -> None:
    """Parties with one row per accused person (docxtpl ``{%tr %}`` row loop)."""
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = (
        ("Prosecution", '{{ prosecution|default("The Prosecution") }}', True),
        ("{%tr for name in case.accused %}", "", False),
        ("Accused {{ loop.index }}", "{{ name }}", True),
        ("{%tr endfor %}", "", False),
        ("Applicant", applicant, True),
    )
    for label, value, bold in rows:
        cells = table.add_row().cells
        _set_cell(cells[0], label, bold=bold)
        _set_cell(cells[1], value)
    _widths(table, (Cm(5), Cm(11)))
    doc.add_paragraph()


def title(doc: DocumentType, text: str, subtitle: str | None = None) -> None:
    paragraph = doc.add_paragraph(text, style="Title")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if subtitle:
        para(doc, subtitle, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _field(paragraph: Paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def header_footer(doc: DocumentType, header_text: str, footer_text: str) -> None:
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.text = header_text
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in header.runs:
        run.font.size = Pt(9)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run(footer_text + " · Page ")
    run.font.size = Pt(9)
    _field(footer, "PAGE")
    footer.add_run(" of ").font.size = Pt(9)
    _field(footer, "NUMPAGES")


def signature_block(doc: DocumentType, role: str, *, dated: bool = True) -> None:
    if dated:
        para(doc, "Dated {{ today }}.")
    para(doc)
    para(doc, "______________________________", space_after=0)
    para(doc, "{{ lawyer.name }}", bold=True, space_after=0)
    para(doc, role, space_after=0)
    para(doc, "{{ office.name }}, {{ office.country }}", space_after=0)
    para(doc, "Email: {{ lawyer.email }} · Telephone: {{ office.phone }}")


def letterhead(doc: DocumentType, recipient_lines: Sequence[str], refs: str) -> None:
    para(doc, "{{ office.name }}", bold=True, size=14, space_after=0)
    para(doc, "{{ office.country }} · Telephone {{ office.phone }} · {{ lawyer.email }}",
         space_after=12)  # fmt: skip
    para(doc, "{{ today }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(doc, "CONFIDENTIAL", bold=True)
    for line in recipient_lines:
        para(doc, line, space_after=0)
    para(doc)
    para(doc, refs)


# --------------------------------------------------------------------------- templates


def adjournment_application() -> DocumentType:
    doc = new_document(
        "Application for adjournment – {{ case.court_case_number }}", "{{ court.name }}"
    )
    header_footer(
        doc,
        "{{ court.name }} · Case No. {{ case.court_case_number }}",
        "Application for adjournment · Ref. {{ case.reference }}",
    )
    court_heading(doc)
    parties_table(
        doc,
        "The complainant, identified in these proceedings as {{ survivor.code }}, through counsel",
    )
    title(doc, "APPLICATION FOR ADJOURNMENT", "made on behalf of the complainant")
    para(
        doc,
        "TAKE NOTICE that counsel for the complainant applies to the Court for an order "
        "adjourning the {{ hearing.kind }} hearing listed on {{ hearing.date_time }} in "
        "{{ hearing.courtroom }}, on the grounds set out below.",
    )
    heading(doc, "1. The listed hearing")
    numbered(
        doc,
        "1.1",
        "The case is at the {{ case.status }} stage. The hearing presently listed is a "
        "{{ hearing.kind }} hearing on {{ hearing.date }} at {{ hearing.time }} in "
        "{{ hearing.courtroom }}, {{ court.name }}.",
    )
    numbered(
        doc,
        "1.2",
        "The complainant is a witness whose identity is protected. In this application the "
        "complainant is referred to only by the code {{ survivor.code }}.",
    )
    heading(doc, "2. Grounds for the application")
    numbered(doc, "2.1", "{{ reason }}")
    numbered(
        doc,
        "2.2",
        "The application is made in good faith and not for the purpose of delay. Counsel "
        "is conscious of the right of every accused person to a trial without unreasonable "
        "delay, and of the public interest in the prompt conclusion of criminal "
        "proceedings.",
    )
    numbered(
        doc,
        "2.3",
        "The complainant's welfare is a matter the Court is entitled to weigh. Requiring a "
        "vulnerable witness to attend when the hearing cannot proceed effectively, or "
        "before the witness is able to give their best evidence, risks further harm to the "
        "witness and to the quality of the evidence.",
    )
    heading(doc, "3. Position of the other parties")
    numbered(
        doc,
        "3.1",
        '{{ other_parties_position|default("Counsel has notified the prosecution and the '
        "defence of this application and will inform the Court of their position at the "
        'hearing.") }}',
    )
    heading(doc, "4. Orders sought")
    para(doc, "The applicant respectfully asks the Court to order that:")
    for letter, text in (
        (
            "(a)",
            "the {{ hearing.kind }} hearing listed on {{ hearing.date }} be adjourned to "
            "{{ proposed_date|long_date }}, or to such other date as the Court considers "
            "just;",
        ),
        ("(b)", "the complainant's attendance on {{ hearing.date }} be excused;"),
        (
            "(c)",
            "any existing directions for the protection of the complainant, including "
            "special measures and the use of the code {{ survivor.code }} in place of the "
            "complainant's name, remain in force on the adjourned date; and",
        ),
        (
            "(d)",
            "the Court make any further order it considers necessary in the interests of justice.",
        ),
    ):
        numbered(doc, letter, text)
    heading(doc, "5. Undertakings")
    numbered(
        doc,
        "5.1",
        "Counsel undertakes to serve a copy of this application on the prosecution and on "
        "each accused person or their counsel without delay, and to tell the complainant "
        "and the complainant's support person of the Court's decision.",
    )
    numbered(
        doc,
        "5.2",
        "Counsel will make sure that the complainant is available, and supported, on the "
        "adjourned date.",
    )
    signature_block(doc, "Counsel for the applicant (the complainant)")
    para(
        doc,
        "To: The Registrar, {{ court.name }}; the Prosecution; the accused persons "
        "{{ case.accused_names }} or their counsel.",
        italic=True,
    )
    return doc


MEASURES: tuple[tuple[str, str], ...] = (
    ("Screen shielding the witness from the accused", "measure_screen"),
    ("Evidence by live video link from a separate room", "measure_video_link"),
    ("Hearing in camera: public and press excluded while the witness gives evidence",
     "measure_in_camera"),
    ("A support person beside the witness", "measure_support_person"),
    ("An intermediary to help the witness understand questions and be understood",
     "measure_intermediary"),
    ("Breaks during the witness's evidence", "measure_breaks"),
)  # fmt: skip


def special_measures_application() -> DocumentType:
    doc = new_document(
        "Application for special measures – {{ case.court_case_number }}", "{{ court.name }}"
    )
    header_footer(
        doc,
        "{{ court.name }} · Case No. {{ case.court_case_number }}",
        "Application for special measures · Ref. {{ case.reference }}",
    )
    court_heading(doc)
    parties_table(
        doc,
        "The complainant and witness, identified in these proceedings as "
        "{{ survivor.code }}, through counsel",
    )
    title(
        doc,
        "APPLICATION FOR SPECIAL MEASURES",
        "for a child or vulnerable witness",
    )
    para(
        doc,
        "TAKE NOTICE that counsel for the witness identified as {{ survivor.code }} applies "
        "for the special measures set out below for the witness's evidence at the "
        "{{ hearing.kind }} hearing listed on {{ hearing.date_time }} in "
        "{{ hearing.courtroom }}, and at any later hearing at which the witness gives "
        "evidence.",
    )
    heading(doc, "1. The witness")
    numbered(doc, "1.1", "The witness is {{ witness_description }}.")
    numbered(doc, "1.2", "The witness is vulnerable for these reasons: {{ vulnerability_grounds }}")
    numbered(
        doc,
        "1.3",
        "The measures sought are meant to let the witness give their best evidence – "
        "complete, coherent and accurate – while protecting the witness from further harm. "
        "They do not prevent the accused persons from hearing and testing the evidence, "
        "and so do not affect their right to a fair trial.",
    )
    heading(doc, "2. Measures sought")
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    _set_cell(table.rows[0].cells[0], "Measure", bold=True)
    _set_cell(table.rows[0].cells[1], "What is asked, and why", bold=True)
    for label, field in MEASURES:
        cells = table.add_row().cells
        _set_cell(cells[0], label)
        _set_cell(cells[1], "{{ " + field + " }}")
    _widths(table, (Cm(6.5), Cm(9.5)))
    para(doc)
    heading(doc, "3. The witness's views")
    numbered(
        doc,
        "3.1",
        "The witness's views on giving evidence and on these measures were sought with the "
        "help of a caseworker, in a language the witness understands. In the witness's "
        "words: {{ witness_views }}",
    )
    heading(doc, "4. Further directions")
    numbered(
        doc,
        "4.1",
        "That the witness's name, address, school and any other information likely to "
        "identify them not be published or disclosed, and that the witness be referred to "
        "in court by the code {{ survivor.code }}.",
    )
    numbered(
        doc,
        "4.2",
        "That the witness may visit the courtroom, and any video link room, before the "
        "hearing with their support person, to become familiar with them.",
    )
    numbered(
        doc,
        "4.3",
        "That questions be short and simple, and that the Court intervene where "
        "questioning is repetitive, oppressive or beyond the witness's understanding.",
    )
    heading(doc, "5. Orders sought")
    para(
        doc,
        "The applicant respectfully asks the Court to direct the measures set out in "
        "paragraph 2 and the further directions in paragraph 4 for every hearing at which "
        "the witness gives evidence, and to make any further order it considers necessary "
        "in the interests of justice.",
    )
    signature_block(doc, "Counsel for the witness")
    para(
        doc,
        "To: The Registrar, {{ court.name }}; the Prosecution; the accused persons "
        "{{ case.accused_names }} or their counsel.",
        italic=True,
    )
    return doc


def victim_impact_statement() -> DocumentType:
    doc = new_document("Victim impact statement – {{ case.court_case_number }}", "{{ court.name }}")
    header_footer(
        doc,
        "{{ court.name }} · Case No. {{ case.court_case_number }} · Confidential",
        "Victim impact statement · Ref. {{ case.reference }}",
    )
    court_heading(doc)
    title(doc, "VICTIM IMPACT STATEMENT")
    label_table(
        doc,
        (
            ("Accused", "{{ case.accused_names }}"),
            ("Statement of", "The complainant, identified in these proceedings as "
                             "{{ survivor.code }}"),
            ("Prepared with", "{{ caseworker_name }}, caseworker, {{ office.name }}"),
            ("Language", "{{ statement_language }}"),
            ("Interpreter", '{{ interpreter|default("None") }}'),
        ),
    )  # fmt: skip
    heading(doc, "About this statement")
    para(
        doc,
        "This statement is in the complainant's own words. It was prepared with the help "
        "of a caseworker, who wrote down what the complainant said, read it back in "
        "{{ statement_language }} and made only the changes the complainant asked for. "
        "Nothing has been added by the caseworker or by counsel.",
    )
    para(
        doc,
        "It tells the Court how the offences have affected the complainant's life – "
        "physically, emotionally, in family life, schooling or work, and financially – and "
        "what the complainant would like the Court to know before it decides on sentence. "
        "It is not evidence about what happened.",
    )
    heading(doc, "My statement")
    para(doc, "{{ statement }}")
    heading(doc, "Declaration")
    para(
        doc,
        "I have said this in my own words. It has been read back to me in "
        "{{ statement_language }} and it is true. I understand that the Court, the "
        "prosecution and the lawyers for the accused persons may read it, and that I will "
        "be asked whether I want it read aloud in court and by whom.",
    )
    table = doc.add_table(rows=3, cols=2)
    _set_cell(table.rows[0].cells[0], "\n\n______________________________")
    _set_cell(table.rows[0].cells[1], "\n\n______________________________")
    _set_cell(table.rows[1].cells[0], "Complainant ({{ survivor.code }})", bold=True)
    _set_cell(table.rows[1].cells[1], "{{ caseworker_name }}, caseworker", bold=True)
    _set_cell(table.rows[2].cells[0], "Date: {{ today }}")
    _set_cell(table.rows[2].cells[1], "Date: {{ today }}")
    para(doc)
    heading(doc, "Submitted by counsel")
    para(
        doc,
        "Submitted to the Court for sentencing in case No. {{ case.court_case_number }}. "
        "Counsel asks that this statement not be made public and that the complainant's "
        "identity remain protected.",
    )
    signature_block(doc, "Counsel for the complainant", dated=False)
    return doc


def identity_document_return_letter() -> DocumentType:
    doc = new_document(
        "Request for return of identity documents – {{ case.court_case_number }}",
        "{{ agency_name }}",
    )
    header_footer(
        doc,
        "{{ office.name }} · Confidential",
        "Our ref. {{ case.reference }}",
    )
    letterhead(
        doc,
        ("{{ addressee }}", "{{ agency_name }}", "{{ agency_address }}"),
        "Our ref: {{ case.reference }} · Court case No. {{ case.court_case_number }} · "
        "Your ref: {{ exhibit_reference }}",
    )
    para(doc, '{{ salutation|default("Dear Sir or Madam") }},')
    para(doc, "Request for return of identity documents held as evidence", bold=True)
    para(
        doc,
        "We act for {{ survivor.legal_name }}, a complainant in case No. "
        "{{ case.court_case_number }} before the {{ court.name }}, where our client is "
        "referred to as {{ survivor.code }}. We ask for the return of our client's "
        "identity documents, which your agency holds as evidence under reference "
        "{{ exhibit_reference }}.",
    )
    para(doc, "The documents are:")
    para(doc, "{{ documents_held }}", indent_cm=1.0)
    heading(doc, "Why our client needs them")
    para(doc, "{{ purpose }}")
    para(
        doc,
        "Without identity documents a survivor of serious crime cannot open a bank account, "
        "enrol in school or training, obtain health care, prove their age, travel home or "
        "apply for immigration status. Keeping the originals therefore causes real and "
        "continuing hardship to a person the proceedings are meant to protect.",
    )
    heading(doc, "What we propose")
    para(doc, "We recognise that the documents may be relevant evidence. We propose that:")
    for letter, text in (
        ("(a)", "your agency makes certified copies or photographs of each document for the "
                "evidence file, signed and dated by the officer who makes them;"),
        ("(b)", "the originals are released to our client through this office, against a "
                "signed receipt entered in your chain-of-custody record; and"),
        ("(c)", "we produce the originals to the Court or to your agency whenever they are "
                "required, on reasonable notice."),
    ):  # fmt: skip
        numbered(doc, letter, text)
    para(
        doc,
        "If the prosecutor must agree to the release, please forward this letter to the "
        "prosecutor in charge of case No. {{ case.court_case_number }} and let us know who "
        "is dealing with it.",
    )
    para(
        doc,
        "We would be grateful for your reply by {{ reply_by|long_date }}. If the documents "
        "cannot be released, please tell us why and when the position will be reviewed, so "
        "that we can consider applying to the Court for their release.",
    )
    para(
        doc,
        "Please treat this letter, and our client's identity and whereabouts, as confidential.",
    )
    para(doc, "Yours faithfully,")
    signature_block(doc, "Counsel for {{ survivor.legal_name }}", dated=False)
    return doc


def immigration_certification_request() -> DocumentType:
    doc = new_document(
        "Request for law-enforcement certification – {{ case.reference }}",
        "{{ certification_type }}",
    )
    header_footer(
        doc,
        "{{ office.name }} · Confidential",
        "Our ref. {{ case.reference }}",
    )
    letterhead(
        doc,
        ("{{ certifying_official }}", "{{ agency_name }}", "{{ agency_address }}"),
        "Our ref: {{ case.reference }} · Your ref: {{ agency_case_number }}",
    )
    para(doc, "Dear {{ certifying_official }},")
    para(doc, "Request for certification of a victim's helpfulness: {{ certification_type }}",
         bold=True)  # fmt: skip
    para(
        doc,
        "We represent {{ survivor.legal_name }}, the victim in the matter your agency "
        "investigated under reference {{ agency_case_number }}. The case is now before the "
        "{{ court.name }} as case No. {{ case.court_case_number }}, where our client is "
        "referred to as {{ survivor.code }}.",
    )
    para(
        doc,
        "We ask that you, or another official authorised to certify on behalf of "
        "{{ agency_name }}, complete and sign the enclosed certification form "
        "({{ certification_type }}). The form asks your agency to confirm facts within its "
        "own knowledge: that our client is a victim of the criminal activity described "
        "below, that our client has information about it, and that our client has been, "
        "is being or is likely to be helpful to its investigation or prosecution.",
    )
    heading(doc, "The criminal activity")
    para(doc, "{{ criminal_activity }}")
    heading(doc, "Our client's help to the investigation and prosecution")
    para(doc, "{{ helpfulness }}")
    heading(doc, "What certification does, and does not do")
    para(
        doc,
        "Signing the form does not grant any immigration status. The decision remains with "
        "the immigration authority, which weighs all the evidence. The certification only "
        "records what your agency knows, and your agency may withdraw it if our client "
        "later refuses, without good reason, to assist.",
    )
    heading(doc, "Timing and confidentiality")
    para(
        doc,
        "We would be grateful to receive the signed form by {{ respond_by|long_date }} so "
        "that the application can be filed in time. Please call or write to us if you need "
        "any further information before signing.",
    )
    para(
        doc,
        "Our client's identity, whereabouts and immigration situation are confidential. "
        "Please keep this request and the form out of any file that the accused persons or "
        "their representatives can see, and do not contact our client directly without "
        "first speaking to us.",
    )
    para(
        doc,
        'Enclosures: {{ enclosures|default("the certification form, partly completed; '
        "a copy of our client's signed authority for us to act\") }}.",
    )
    para(doc, "Yours sincerely,")
    signature_block(doc, "Counsel for {{ survivor.legal_name }}", dated=False)
    return doc


def accompaniment_report() -> DocumentType:
    doc = new_document(
        "Court accompaniment report – {{ case.reference }}", "Internal – confidential"
    )
    header_footer(
        doc,
        "INTERNAL – CONFIDENTIAL – {{ office.name }}",
        "Accompaniment report · Ref. {{ case.reference }}",
    )
    title(doc, "COURT ACCOMPANIMENT REPORT")
    para(
        doc,
        "For the case file only. Do not share outside {{ office.name }}. The survivor is "
        "referred to by code only.",
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    label_table(
        doc,
        (
            ("Case reference", "{{ case.reference }}"),
            ("Court case No.", "{{ case.court_case_number }}"),
            ("Court", "{{ court.name }}, {{ court.address }}"),
            ("Courtroom", "{{ hearing.courtroom }}"),
            ("Hearing", "{{ hearing.kind }}, {{ hearing.date_time }}"),
            ("Case stage", "{{ case.status }}"),
            ("Survivor", "{{ survivor.code }}"),
            ("Accompanied by", "{{ hearing.accompanying_staff }}"),
        ),
    )
    heading(doc, "What happened at court")
    para(doc, "{{ what_happened }}")
    heading(doc, "How the survivor was supported")
    para(doc, "{{ support_provided }}")
    heading(doc, "How the survivor is doing")
    para(doc, "{{ survivor_wellbeing }}")
    heading(doc, "Concerns and incidents")
    para(doc, '{{ concerns|default("None recorded.") }}')
    heading(doc, "Next date and follow-up")
    para(doc, "Next hearing: {{ next_hearing_date|long_date }}.")
    para(doc, "Follow-up: {{ follow_up }}")
    heading(doc, "Before the next hearing")
    for item in (
        "Confirm with the prosecutor that the hearing will go ahead, the day before.",
        "Arrange transport, and a separate waiting area away from the accused and their families.",
        "Confirm who will accompany the survivor, and that the support person is available.",
        "Check that the family has received the hearing reminder and knows where to go.",
        "Agree with the survivor what will help on the day (breaks, water, a quiet room).",
    ):
        para(doc, "☐ " + item, indent_cm=0.5, space_after=2)
    para(doc)
    para(doc, "Prepared by {{ lawyer.name }} ({{ lawyer.email }}) on {{ today }}.")
    para(doc, "Reviewed by: ______________________    Date: ______________")
    return doc


BUILDERS: dict[str, Callable[[], DocumentType]] = {
    "adjournment_application": adjournment_application,
    "special_measures_application": special_measures_application,
    "victim_impact_statement": victim_impact_statement,
    "identity_document_return_letter": identity_document_return_letter,
    "immigration_certification_request": immigration_certification_request,
    "accompaniment_report": accompaniment_report,
}


# Fixed stamps so that rebuilding without changes gives byte-identical files, and the
# committed .docx files only show up in a diff when their wording changed.
_STAMP = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _reproducible(document: DocumentType) -> bytes:
    core = document.core_properties
    core.created = core.modified = _STAMP
    core.last_printed = _STAMP
    core.revision = 1
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            stamped = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            stamped.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(stamped, source.read(item.filename))
    return out.getvalue()


def build_all(target: Path = TEMPLATES_DIR) -> list[Path]:
    if set(BUILDERS) != set(BUILTIN_TEMPLATES):
        raise RuntimeError("builders and the built-in template registry disagree")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for key, builder in BUILDERS.items():
        path = target / f"{key}.docx"
        path.write_bytes(_reproducible(builder()))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    target = Path(args[0]) if args else TEMPLATES_DIR
    for path in build_all(target):
        print(path)  # noqa: T201 - this is a command-line script
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
