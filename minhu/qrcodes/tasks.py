from huey.contrib.djhuey import db_task


@db_task(retries=1, retry_delay=30)
def generate_batch(batch_id: int):
    from .batches import run_batch

    run_batch(batch_id)
