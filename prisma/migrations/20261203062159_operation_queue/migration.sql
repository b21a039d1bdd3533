-- DropIndex
DROP INDEX "operations_status_created_at_idx";

-- AlterTable
ALTER TABLE "operations" ADD COLUMN     "locked_by" TEXT,
ADD COLUMN     "locked_until" TIMESTAMPTZ(3),
ADD COLUMN     "produced_by" TEXT,
ADD COLUMN     "run_after" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "operations_status_run_after_idx" ON "operations"("status", "run_after");
