-- A skill group's cap and overflow list belong to its grain alone (SkillGroupState), which decides with them and
-- had them all along; the row keeps what admins search and list by: name, mode (fixed at creation), times.
ALTER TABLE skill_groups DROP COLUMN reception_cap;
ALTER TABLE skill_groups DROP COLUMN overflow_group_ids;
