FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY . .
RUN pip install --no-cache-dir -c constraints.txt .
RUN useradd --create-home caiac && mkdir -p var && chown -R caiac var
USER caiac
EXPOSE 8000
CMD ["gunicorn", "caiac.wsgi:application", "--bind", "0.0.0.0:8000"]
