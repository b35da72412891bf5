-- The unit price a viewer saw when they last added or changed a line, so the
-- cart can say "price changed since you added it". NULL for older lines.
ALTER TABLE cart_lines ADD COLUMN added_price_minor INTEGER;
