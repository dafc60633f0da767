"""The supervisor's staff tab: the accounts, and adding, PIN resets, roles, deactivating
and unlocking. PINs are typed twice, masked, and checked here before they are sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.staff import StaffMember, WeakPin, check_pin, check_staff_id
from kiosk.storage.models import STAFF_NAME_MAX, StaffRole
from kiosk.ui.counter.signin import pin_field
from kiosk.ui.counter.supervisor_base import Host, SupervisorTab, button, fill, local_time, table


@dataclass(frozen=True)
class NewStaff:
    staff_id: str
    name: str
    role: StaffRole
    pin: str


class StaffTab(SupervisorTab):
    def __init__(self, host: Host) -> None:
        super().__init__(host, "staff.intro")
        t = host.t
        self.members: list[StaffMember] = []
        self.table = table(
            [
                t("staff.id"),
                t("staff.name"),
                t("staff.role"),
                t("staff.active"),
                t("staff.locked_until"),
            ]
        )
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.layout_.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.add_button = button(t("staff.add"), self.add)
        self.pin_button = button(t("staff.reset_pin"), self.reset_pin)
        self.role_button = button(t("staff.make_supervisor"), self.toggle_role)
        self.deactivate_button = button(t("staff.deactivate"), self.deactivate)
        self.unlock_button = button(t("staff.unlock"), self.unlock)
        for widget in (
            self.add_button,
            self.pin_button,
            self.role_button,
            self.deactivate_button,
            self.unlock_button,
        ):
            actions.addWidget(widget)
        actions.addStretch(1)
        self.layout_.addLayout(actions)
        # Replaceable so that tests can answer the dialogs.
        self.ask_new_staff: Callable[[], NewStaff | None] = lambda: StaffDialog.ask(host, self)
        self.ask_pin: Callable[[str], str | None] = lambda staff_id: PinDialog.ask(
            host, self, staff_id
        )
        self._selection_changed()

    # -- loading ------------------------------------------------------------------

    def load(self) -> None:
        supervision = self.host.supervision
        self.host.run(supervision.staff, self.show_members, self.fail)

    def show_members(self, members: list[StaffMember]) -> None:
        keep = self.selected()
        self.members = list(members)
        t = self.host.t
        fill(
            self.table,
            [
                (
                    m.staff_id,
                    m.name,
                    t(f"staff.role_{m.role}"),
                    t("staff.active_yes") if m.active else t("staff.active_no"),
                    t("staff.locked", time=local_time(m.locked_until))
                    if m.locked_until is not None
                    else t("staff.not_locked"),
                )
                for m in self.members
            ],
        )
        if keep is not None:
            for row, member in enumerate(self.members):
                if member.staff_id == keep.staff_id:
                    self.table.selectRow(row)
        self._selection_changed()

    def clear(self) -> None:
        super().clear()
        self.members = []
        self.table.clearSelection()
        self.table.setRowCount(0)
        self._selection_changed()

    def selected(self) -> StaffMember | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.members):
            return None
        return self.members[rows[0].row()]

    def select(self, staff_id: str) -> None:
        for row, member in enumerate(self.members):
            if member.staff_id == staff_id:
                self.table.selectRow(row)
                return
        raise LookupError(f"{staff_id} is not in the list")

    def _selection_changed(self) -> None:
        member = self.selected()
        for widget in (self.pin_button, self.role_button, self.deactivate_button):
            widget.setEnabled(member is not None and member.active)
        self.unlock_button.setEnabled(member is not None and member.locked_until is not None)
        supervisor = member is not None and member.is_supervisor
        self.role_button.setText(
            self.host.t("staff.make_staff" if supervisor else "staff.make_supervisor")
        )

    # -- actions --------------------------------------------------------------------

    def add(self) -> None:
        self.host.activity.emit()
        new = self.ask_new_staff()
        if new is None:
            return
        supervision = self.host.supervision
        self._change(
            lambda by: supervision.add_staff(by, new.staff_id, new.name, new.role, new.pin),
            "staff.added",
        )

    def reset_pin(self) -> None:
        self.host.activity.emit()
        member = self._need_selection()
        if member is None:
            return
        pin = self.ask_pin(member.staff_id)
        if pin is None:
            return
        supervision = self.host.supervision
        self._change(
            lambda by: supervision.change_pin(by, member.staff_id, pin), "staff.pin_changed"
        )

    def toggle_role(self) -> None:
        self.host.activity.emit()
        member = self._need_selection()
        if member is None:
            return
        role: StaffRole = "staff" if member.is_supervisor else "supervisor"
        supervision = self.host.supervision
        self._change(
            lambda by: supervision.set_role(by, member.staff_id, role),
            "staff.role_changed",
            role=self.host.t(f"staff.role_{role}"),
        )

    def deactivate(self) -> None:
        self.host.activity.emit()
        member = self._need_selection()
        if member is None:
            return
        t = self.host.t
        question = t("staff.confirm_deactivate", staff_id=member.staff_id)
        if not self.host.confirm(self, t("staff.confirm_deactivate_title"), question):
            return
        self.host.activity.emit()
        supervision = self.host.supervision
        self._change(lambda by: supervision.deactivate(by, member.staff_id), "staff.deactivated")

    def unlock(self) -> None:
        self.host.activity.emit()
        member = self._need_selection()
        if member is None:
            return
        supervision = self.host.supervision
        self._change(lambda by: supervision.unlock(by, member.staff_id), "staff.unlocked")

    def _need_selection(self) -> StaffMember | None:
        member = self.selected()
        if member is None:
            self.fail(self.host.t("staff.select_first"))
        return member

    def _change(
        self, job: Callable[[StaffMember], StaffMember], done_key: str, **values: object
    ) -> None:
        def done(changed: StaffMember) -> None:
            self.say(self.host.t(done_key, staff_id=changed.staff_id, **values))
            self.load()

        self.host.run(job, done, self.fail)


# -- dialogs ------------------------------------------------------------------------


class _Dialog(QDialog):
    """A form with an error line; OK keeps it open until the input passes the checks."""

    def __init__(self, host: Host, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.host = host
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(600)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        self.form = QFormLayout()
        self.form.setVerticalSpacing(12)
        layout.addLayout(self.form)
        self.hint = QLabel()  # full width, under the form: it wraps without being cut
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #333333;")
        layout.addWidget(self.hint)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #9b1c1c;")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(
            host.t("common.ok"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(host.t("common.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def try_accept(self) -> None:
        message = self.problem()
        if message:
            self.error.setText(message)
            self.adjustSize()  # the message may take more lines than the dialog has
            return
        self.accept()

    def problem(self) -> str:
        raise NotImplementedError

    def _pins_problem(self, first: QLineEdit, second: QLineEdit, staff_id: str | None) -> str:
        if first.text() != second.text():
            second.clear()
            return self.host.t("errors.pin_mismatch")
        try:
            check_pin(first.text(), staff_id=staff_id)
        except WeakPin:
            first.clear()
            second.clear()
            return self.host.t("errors.weak_pin")
        return ""


class StaffDialog(_Dialog):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent, host.t("staff.add_title"))
        t = host.t
        self.staff_id = QLineEdit()
        self.staff_id.setMaxLength(32)
        self.name = QLineEdit()
        self.name.setMaxLength(STAFF_NAME_MAX)
        self.role = QComboBox()
        self.role.addItem(t("staff.role_staff"), "staff")
        self.role.addItem(t("staff.role_supervisor"), "supervisor")
        self.pin = pin_field()
        self.pin_again = pin_field()
        self.form.addRow(t("staff.id"), self.staff_id)
        self.form.addRow(t("staff.name"), self.name)
        self.form.addRow(t("staff.role"), self.role)
        self.form.addRow(t("staff.pin"), self.pin)
        self.form.addRow(t("staff.pin_again"), self.pin_again)
        self.hint.setText(t("staff.pin_hint"))

    def problem(self) -> str:
        try:
            staff_id = check_staff_id(self.staff_id.text())
        except ValueError:
            return self.host.t("errors.staff_id")
        name = self.name.text().strip()
        if not 1 <= len(name) <= STAFF_NAME_MAX:
            return self.host.t("errors.name", max=STAFF_NAME_MAX)
        return self._pins_problem(self.pin, self.pin_again, staff_id)

    def value(self) -> NewStaff:
        return NewStaff(
            staff_id=check_staff_id(self.staff_id.text()),
            name=self.name.text().strip(),
            role=self.role.currentData(),
            pin=self.pin.text(),
        )

    @classmethod
    def ask(cls, host: Host, parent: QWidget) -> NewStaff | None:
        dialog = cls(host, parent)
        try:
            return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.forget()

    def forget(self) -> None:
        for field in (self.staff_id, self.name, self.pin, self.pin_again):
            field.clear()
        self.deleteLater()


class PinDialog(_Dialog):
    def __init__(self, host: Host, parent: QWidget | None, staff_id: str) -> None:
        super().__init__(host, parent, host.t("staff.pin_title", staff_id=staff_id))
        self.staff_id = staff_id
        self.pin = pin_field()
        self.pin_again = pin_field()
        self.form.addRow(host.t("staff.pin"), self.pin)
        self.form.addRow(host.t("staff.pin_again"), self.pin_again)
        self.hint.setText(host.t("staff.pin_hint"))

    def problem(self) -> str:
        return self._pins_problem(self.pin, self.pin_again, self.staff_id)

    def value(self) -> str:
        return self.pin.text()

    @classmethod
    def ask(cls, host: Host, parent: QWidget, staff_id: str) -> str | None:
        dialog = cls(host, parent, staff_id)
        try:
            return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.forget()

    def forget(self) -> None:
        self.pin.clear()
        self.pin_again.clear()
        self.deleteLater()
